// Row-wise kernels: one block per row, a block-wide reduction per pass.
#include "common.cuh"

extern "C" __global__ void rms_norm_f32(const float* x, const float* w, float* out, int d, float eps) {
    const float* xr = x + (long long) blockIdx.x * d;
    float* yr = out + (long long) blockIdx.x * d;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < d; i += blockDim.x) ss += xr[i] * xr[i];
    ss = block_sum(ss);
    float inv = 1.0f / sqrtf(ss / d + eps);
    for (int i = threadIdx.x; i < d; i += blockDim.x) yr[i] = xr[i] * inv * w[i];
}

// w and b may be null (ones and zeros). Two passes: the mean, then the variance around it.
extern "C" __global__ void layer_norm_f32(const float* x, const float* w, const float* b, float* out, int d, float eps) {
    const float* xr = x + (long long) blockIdx.x * d;
    float* yr = out + (long long) blockIdx.x * d;
    float sum = 0.0f;
    for (int i = threadIdx.x; i < d; i += blockDim.x) sum += xr[i];
    float mean = block_sum(sum) / d;
    float var = 0.0f;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float c = xr[i] - mean;
        var += c * c;
    }
    float inv = 1.0f / sqrtf(block_sum(var) / d + eps);
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float y = (xr[i] - mean) * inv;
        if (w) y *= w[i];
        if (b) y += b[i];
        yr[i] = y;
    }
}

extern "C" __global__ void softmax_f32(const float* x, float* out, int d) {
    const float* xr = x + (long long) blockIdx.x * d;
    float* yr = out + (long long) blockIdx.x * d;
    float m = -INFINITY;
    for (int i = threadIdx.x; i < d; i += blockDim.x) m = fmaxf(m, xr[i]);
    m = block_max(m);
    float sum = 0.0f;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float e = expf(xr[i] - m);
        yr[i] = e;
        sum += e;
    }
    float inv = 1.0f / block_sum(sum);
    for (int i = threadIdx.x; i < d; i += blockDim.x) yr[i] *= inv;
}

// Index of the largest entry of each row (the first on ties; NaNs are skipped, 0 if all are NaN).
extern "C" __global__ void argmax_f32(const float* x, int* out, int d) {
    __shared__ float bestValue[1024];
    __shared__ int bestIndex[1024];
    const float* xr = x + (long long) blockIdx.x * d;
    float best = -INFINITY;
    int at = d;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float v = xr[i];
        if (v > best) {
            best = v;
            at = i;
        }
    }
    bestValue[threadIdx.x] = best;
    bestIndex[threadIdx.x] = at;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            float v = bestValue[threadIdx.x + s];
            int j = bestIndex[threadIdx.x + s];
            if (v > bestValue[threadIdx.x] || (v == bestValue[threadIdx.x] && j < bestIndex[threadIdx.x])) {
                bestValue[threadIdx.x] = v;
                bestIndex[threadIdx.x] = j;
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = bestIndex[0] == d ? 0 : bestIndex[0];
}
