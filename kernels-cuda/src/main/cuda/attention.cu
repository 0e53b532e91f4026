// Causal grouped-query attention over a KV cache, one block per (query head, token).
// Each warp walks its share of the cached positions with an online softmax (running maximum m,
// running sum l, running weighted sum of values acc); the warps' partial results are merged at the end.
// A lane holds head entries lane, lane + 32, ...: heads of up to 32 * MAX_PER_LANE entries.
#include "common.cuh"

#define MAX_PER_LANE 8
#define ATTENTION_WARPS 8

template <typename KV> __device__ __forceinline__ float kv_at(const KV* p, long long i);
template <> __device__ __forceinline__ float kv_at<float>(const float* p, long long i) { return p[i]; }
template <> __device__ __forceinline__ float kv_at<__half>(const __half* p, long long i) { return __half2float(p[i]); }

template <typename KV>
__device__ __forceinline__ void attention(const float* q, const KV* k, const KV* v, float* out,
                                          int hq, int hkv, int d, int startPos, float scale) {
    __shared__ float warpM[ATTENTION_WARPS], warpL[ATTENTION_WARPS];
    __shared__ float warpAcc[ATTENTION_WARPS][32 * MAX_PER_LANE];
    int h = blockIdx.x, t = blockIdx.y;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int g = h / (hq / hkv);
    const float* qh = q + ((long long) t * hq + h) * d;
    float qv[MAX_PER_LANE], acc[MAX_PER_LANE];
#pragma unroll
    for (int r = 0; r < MAX_PER_LANE; r++) {
        int i = lane + 32 * r;
        qv[r] = i < d ? qh[i] : 0.0f;
        acc[r] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    int last = startPos + t;
    for (int j = warp; j <= last; j += ATTENTION_WARPS) {
        long long kvAt = ((long long) j * hkv + g) * d;
        float dot = 0.0f;
#pragma unroll
        for (int r = 0; r < MAX_PER_LANE; r++) {
            int i = lane + 32 * r;
            if (i < d) dot += qv[r] * kv_at(k, kvAt + i);
        }
        float s = warp_sum(dot) * scale;
        float mNew = fmaxf(m, s);
        float correction = expf(m - mNew);     // 0 on the first position (m = -inf)
        float p = expf(s - mNew);
        l = l * correction + p;
#pragma unroll
        for (int r = 0; r < MAX_PER_LANE; r++) {
            int i = lane + 32 * r;
            if (i < d) acc[r] = acc[r] * correction + p * kv_at(v, kvAt + i);
        }
        m = mNew;
    }
    if (lane == 0) {
        warpM[warp] = m;
        warpL[warp] = l;
    }
#pragma unroll
    for (int r = 0; r < MAX_PER_LANE; r++) warpAcc[warp][lane + 32 * r] = acc[r];
    __syncthreads();
    if (warp == 0) {
        float total = -INFINITY;
        for (int w = 0; w < ATTENTION_WARPS; w++) total = fmaxf(total, warpM[w]);
        float sum = 0.0f;
        float o[MAX_PER_LANE];
#pragma unroll
        for (int r = 0; r < MAX_PER_LANE; r++) o[r] = 0.0f;
        for (int w = 0; w < ATTENTION_WARPS; w++) {
            if (warpM[w] == -INFINITY) continue;   // a warp that saw no position
            float c = expf(warpM[w] - total);
            sum += warpL[w] * c;
#pragma unroll
            for (int r = 0; r < MAX_PER_LANE; r++) o[r] += warpAcc[w][lane + 32 * r] * c;
        }
        float inv = 1.0f / sum;
        float* oh = out + ((long long) t * hq + h) * d;
#pragma unroll
        for (int r = 0; r < MAX_PER_LANE; r++) {
            int i = lane + 32 * r;
            if (i < d) oh[i] = o[r] * inv;
        }
    }
}

extern "C" __global__ void attention_f32(const float* q, const float* k, const float* v, float* out,
                                         int hq, int hkv, int d, int startPos, float scale) {
    attention<float>(q, k, v, out, hq, hkv, d, startPos, scale);
}

extern "C" __global__ void attention_f16(const float* q, const __half* k, const __half* v, float* out,
                                         int hq, int hkv, int d, int startPos, float scale) {
    attention<__half>(q, k, v, out, hq, hkv, d, startPos, scale);
}
