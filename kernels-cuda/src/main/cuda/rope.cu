// Rotary position embedding of x [T, H, D]: one thread per (token, head, pair); the angle is
// computed in double like the reference so large positions keep their precision.
#include "common.cuh"

template <bool NEOX>
__device__ __forceinline__ void rope(const float* x, float* out, int t, int h, int d, int startPos,
                                     const float* invFreq, int pairs) {
    long long total = (long long) t * h * pairs;
    for (long long idx = blockIdx.x * (long long) blockDim.x + threadIdx.x; idx < total;
         idx += (long long) gridDim.x * blockDim.x) {
        int i = (int) (idx % pairs);
        long long head = idx / pairs;
        int pos = startPos + (int) (head / h);
        double s, c;
        sincos((double) pos * (double) invFreq[i], &s, &c);
        float fs = (float) s, fc = (float) c;
        long long base = head * d;
        int a = NEOX ? i : 2 * i;
        int b = NEOX ? i + pairs : 2 * i + 1;
        float x0 = x[base + a], x1 = x[base + b];
        out[base + a] = x0 * fc - x1 * fs;
        out[base + b] = x0 * fs + x1 * fc;
    }
    // Entries past the rotated ones are copied (a no-op when in place).
    long long rest = (long long) t * h * (d - 2 * pairs);
    for (long long idx = blockIdx.x * (long long) blockDim.x + threadIdx.x; idx < rest;
         idx += (long long) gridDim.x * blockDim.x) {
        long long head = idx / (d - 2 * pairs);
        long long at = head * d + 2 * pairs + idx % (d - 2 * pairs);
        out[at] = x[at];
    }
}

extern "C" __global__ void rope_interleaved_f32(const float* x, float* out, int t, int h, int d, int startPos,
                                                const float* invFreq, int pairs) {
    rope<false>(x, out, t, h, d, startPos, invFreq, pairs);
}

extern "C" __global__ void rope_neox_f32(const float* x, float* out, int t, int h, int d, int startPos,
                                         const float* invFreq, int pairs) {
    rope<true>(x, out, t, h, d, startPos, invFreq, pairs);
}
