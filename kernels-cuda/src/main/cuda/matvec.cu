// out[m, n] = sum_k x[m, k] * w[n, k] for few rows m (decode): one warp per output element.
// Consecutive lanes read consecutive weights of one row, so a warp reads a block's bytes together;
// this kernel is bound by reading the weights once.
#include "common.cuh"

#define MATVEC_WARPS 8

template <int TYPE>
__device__ __forceinline__ void matvec(const float* x, const uint8_t* w, long long rowBytes, float* out, int n, int k) {
    int lane = threadIdx.x & 31;
    int col = blockIdx.x * MATVEC_WARPS + (threadIdx.x >> 5);
    if (col >= n) return;
    const float* xr = x + (long long) blockIdx.y * k;
    const uint8_t* row = w + col * rowBytes;
    float acc = 0.0f;
    for (int i = lane; i < k; i += 32) acc += xr[i] * weight_at<TYPE>(row, i);
    acc = warp_sum(acc);
    if (lane == 0) out[(long long) blockIdx.y * n + col] = acc;
}

#define MATVEC(name, type) \
    extern "C" __global__ void name(const float* x, const uint8_t* w, long long rowBytes, float* out, int n, int k) { \
        matvec<type>(x, w, rowBytes, out, n, k); \
    }

MATVEC(matvec_f32, 0)
MATVEC(matvec_f16, 1)
MATVEC(matvec_bf16, 30)
MATVEC(matvec_q8_0, 8)
MATVEC(matvec_q4_0, 2)
MATVEC(matvec_q4_k, 12)
MATVEC(matvec_q6_k, 14)
