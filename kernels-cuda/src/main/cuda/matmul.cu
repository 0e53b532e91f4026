// out[m, n] = sum_k x[m, k] * w[n, k] for many rows m (prefill).
//  - matmul_tiled_*: 64x64 output tiles through shared memory, weights dequantized as they are
//    loaded, 4x4 outputs per thread, F32 arithmetic.
//  - matmul_wmma_*: F16/BF16 weights on the tensor cores (wmma 16x16x16, F32 accumulation); the F32
//    activations are rounded to the weight's type as they are loaded into shared memory.
#include "common.cuh"
#include <mma.h>

#define TILE 64
#define TILED_K 16

template <int TYPE>
__device__ __forceinline__ void matmul_tiled(const float* x, const uint8_t* w, long long rowBytes, float* out,
                                             int m, int n, int k) {
    __shared__ float xs[TILED_K][TILE + 1];
    __shared__ float ws[TILED_K][TILE + 1];
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    int m0 = blockIdx.y * TILE, n0 = blockIdx.x * TILE;
    float acc[4][4] = {};
    for (int k0 = 0; k0 < k; k0 += TILED_K) {
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int e = tid + 256 * r, row = e / TILED_K, kk = e % TILED_K;
            int gk = k0 + kk;
            xs[kk][row] = (m0 + row < m && gk < k) ? x[(long long) (m0 + row) * k + gk] : 0.0f;
            ws[kk][row] = (n0 + row < n && gk < k) ? weight_at<TYPE>(w + (n0 + row) * rowBytes, gk) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TILED_K; kk++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                a[i] = xs[kk][ty + 16 * i];
                b[i] = ws[kk][tx + 16 * i];
            }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int row = m0 + ty + 16 * i, col = n0 + tx + 16 * j;
            if (row < m && col < n) out[(long long) row * n + col] = acc[i][j];
        }
}

#define TILED(name, type) \
    extern "C" __global__ void __launch_bounds__(256) name(const float* x, const uint8_t* w, long long rowBytes, \
                                                           float* out, int m, int n, int k) { \
        matmul_tiled<type>(x, w, rowBytes, out, m, n, k); \
    }

TILED(matmul_tiled_f32, 0)
TILED(matmul_tiled_q8_0, 8)
TILED(matmul_tiled_q4_0, 2)
TILED(matmul_tiled_q4_k, 12)
TILED(matmul_tiled_q6_k, 14)

#define WMMA_K 32
#define WMMA_LD (WMMA_K + 8)
#define C_LD (TILE + 4)

template <typename T> __device__ __forceinline__ T from_float(float v);
template <> __device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// 4 warps, each computing a 32x32 quarter of the 64x64 tile as 2x2 wmma fragments.
template <typename T>
__device__ __forceinline__ void matmul_wmma(const float* x, const T* w, float* out, int m, int n, int k) {
    using namespace nvcuda;
    __shared__ __align__(32) T xs[TILE][WMMA_LD];
    __shared__ __align__(32) T ws[TILE][WMMA_LD];
    __shared__ __align__(32) float cs[TILE][C_LD];
    int tid = threadIdx.x, warp = tid >> 5;
    int wm = (warp >> 1) * 32, wn = (warp & 1) * 32;
    int m0 = blockIdx.y * TILE, n0 = blockIdx.x * TILE;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);
    T zero = from_float<T>(0.0f);
    for (int k0 = 0; k0 < k; k0 += WMMA_K) {
        for (int e = tid; e < TILE * WMMA_K; e += 128) {
            int row = e / WMMA_K, kk = e % WMMA_K, gk = k0 + kk;
            xs[row][kk] = (m0 + row < m && gk < k) ? from_float<T>(x[(long long) (m0 + row) * k + gk]) : zero;
            ws[row][kk] = (n0 + row < n && gk < k) ? w[(long long) (n0 + row) * k + gk] : zero;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < WMMA_K; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> b[2];
#pragma unroll
            for (int i = 0; i < 2; i++) wmma::load_matrix_sync(a[i], &xs[wm + 16 * i][kk], WMMA_LD);
#pragma unroll
            for (int j = 0; j < 2; j++) wmma::load_matrix_sync(b[j], &ws[wn + 16 * j][kk], WMMA_LD);
#pragma unroll
            for (int i = 0; i < 2; i++)
#pragma unroll
                for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 2; j++)
            wmma::store_matrix_sync(&cs[wm + 16 * i][wn + 16 * j], acc[i][j], C_LD, wmma::mem_row_major);
    __syncthreads();
    for (int e = tid; e < TILE * TILE; e += 128) {
        int row = e / TILE, col = e % TILE;
        if (m0 + row < m && n0 + col < n) out[(long long) (m0 + row) * n + n0 + col] = cs[row][col];
    }
}

extern "C" __global__ void __launch_bounds__(128) matmul_wmma_f16(const float* x, const __half* w, float* out,
                                                                  int m, int n, int k) {
    matmul_wmma<__half>(x, w, out, m, n, k);
}

extern "C" __global__ void __launch_bounds__(128) matmul_wmma_bf16(const float* x, const __nv_bfloat16* w, float* out,
                                                                   int m, int n, int k) {
    matmul_wmma<__nv_bfloat16>(x, w, out, m, n, k);
}
