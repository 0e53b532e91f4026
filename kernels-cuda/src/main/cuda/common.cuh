// Shared device helpers: reading GGUF weight rows element by element, block and warp reductions.
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>

#define FULL_MASK 0xffffffffu

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    v = lane < warps ? partial[lane] : 0.0f;
    return warp_sum(v);
}

__device__ __forceinline__ float block_max(float v) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    v = lane < warps ? partial[lane] : -INFINITY;
    return warp_max(v);
}

__device__ __forceinline__ float f16_at(const uint8_t* p) {
    return __half2float(*reinterpret_cast<const __half*>(p));
}

// GGUF blocks are packed without padding, so multi-byte fields may be only 2-byte aligned.
__host__ __device__ __forceinline__ float f16_unaligned(const uint8_t* p) {
    unsigned short bits = (unsigned short) (p[0] | (p[1] << 8));
    return __half2float(__ushort_as_half(bits));
}

// ggml's 6-bit (scale, min) pair j of a Q4_K/Q5_K super-block, from its 12 packed bytes.
__host__ __device__ __forceinline__ void k_scale_min(int j, const uint8_t* q, int* sc, int* m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// Element k of a weight row, dequantized. Type ids are ggml's (DType.ggmlId()). Host-callable too, so
// WeightLayoutTest can check the block layouts against the Java codecs without a GPU.
template <int TYPE> __host__ __device__ __forceinline__ float weight_at(const uint8_t* row, int k);

template <> __host__ __device__ __forceinline__ float weight_at<0>(const uint8_t* row, int k) {   // F32
    return reinterpret_cast<const float*>(row)[k];
}

template <> __host__ __device__ __forceinline__ float weight_at<1>(const uint8_t* row, int k) {   // F16
    return __half2float(reinterpret_cast<const __half*>(row)[k]);
}

template <> __host__ __device__ __forceinline__ float weight_at<30>(const uint8_t* row, int k) {  // BF16
    return __bfloat162float(reinterpret_cast<const __nv_bfloat16*>(row)[k]);
}

template <> __host__ __device__ __forceinline__ float weight_at<8>(const uint8_t* row, int k) {   // Q8_0: f16 d; i8 qs[32]
    const uint8_t* b = row + (k >> 5) * 34;
    return f16_unaligned(b) * (float) (int8_t) b[2 + (k & 31)];
}

template <> __host__ __device__ __forceinline__ float weight_at<2>(const uint8_t* row, int k) {   // Q4_0: f16 d; u8 qs[16]
    const uint8_t* b = row + (k >> 5) * 18;
    int j = k & 31;
    int q = j < 16 ? (b[2 + j] & 0xF) : (b[2 + j - 16] >> 4);
    return f16_unaligned(b) * (float) (q - 8);
}

template <> __host__ __device__ __forceinline__ float weight_at<12>(const uint8_t* row, int k) {  // Q4_K: f16 d, dmin; u8 scales[12]; u8 qs[128]
    const uint8_t* b = row + (k >> 8) * 144;
    int j = k & 255;
    int sub = j >> 5;                        // 8 sub-blocks of 32
    int sc, m;
    k_scale_min(sub, b + 4, &sc, &m);
    const uint8_t* qs = b + 16 + (sub >> 1) * 32;   // each 32 bytes hold two sub-blocks: low then high nibbles
    int q = (sub & 1) ? (qs[j & 31] >> 4) : (qs[j & 31] & 0xF);
    return f16_unaligned(b) * sc * q - f16_unaligned(b + 2) * m;
}

template <> __host__ __device__ __forceinline__ float weight_at<14>(const uint8_t* row, int k) {  // Q6_K: u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d
    const uint8_t* b = row + (k >> 8) * 210;
    int j = k & 255;
    int half = j >> 7;                       // two halves of 128 values
    int l = j & 127;
    int quarter = l >> 5;                    // which 32 values of the half
    int i = l & 31;
    const uint8_t* ql = b + half * 64;
    const uint8_t* qh = b + 128 + half * 32;
    int lo = quarter < 2 ? (ql[i + 32 * (quarter & 1)] & 0xF) : (ql[i + 32 * (quarter & 1)] >> 4);
    int hi = (qh[i] >> (2 * quarter)) & 3;
    int q = (lo | (hi << 4)) - 32;
    int8_t scale = (int8_t) b[192 + half * 8 + (i >> 4) + 2 * quarter];
    return f16_unaligned(b + 208) * scale * q;
}
