// Embedding lookup: out[t, :] = table[ids[t], :] dequantized, one block per token.
#include "common.cuh"

template <int TYPE>
__device__ __forceinline__ void embed(const uint8_t* table, long long rowBytes, const int* ids, float* out, int d) {
    const uint8_t* row = table + ids[blockIdx.x] * rowBytes;
    float* y = out + (long long) blockIdx.x * d;
    for (int k = threadIdx.x; k < d; k += blockDim.x) y[k] = weight_at<TYPE>(row, k);
}

#define EMBED(name, type) \
    extern "C" __global__ void name(const uint8_t* table, long long rowBytes, const int* ids, float* out, int d) { \
        embed<type>(table, rowBytes, ids, out, d); \
    }

EMBED(embed_f32, 0)
EMBED(embed_f16, 1)
EMBED(embed_bf16, 30)
EMBED(embed_q8_0, 8)
EMBED(embed_q4_0, 2)
EMBED(embed_q4_k, 12)
EMBED(embed_q6_k, 14)
