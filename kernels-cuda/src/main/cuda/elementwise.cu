// Element-wise kernels over n F32 values, and dtype conversion (copy). One thread per element,
// grid-stride loops so any n works with a bounded grid.
#include "common.cuh"

#define FOR_EACH(i, n) for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
                            i += (long long) gridDim.x * blockDim.x)

extern "C" __global__ void silu_f32(const float* x, float* out, long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        out[i] = v / (1.0f + expf(-v));
    }
}

extern "C" __global__ void gelu_erf_f32(const float* x, float* out, long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        out[i] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    }
}

extern "C" __global__ void gelu_tanh_f32(const float* x, float* out, long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        out[i] = 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    }
}

extern "C" __global__ void swiglu_f32(const float* gate, const float* up, float* out, long long n) {
    FOR_EACH(i, n) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

// b has n elements, or bn elements (one row) repeated over the rows of a.
extern "C" __global__ void add_f32(const float* a, const float* b, float* out, long long n, long long bn) {
    FOR_EACH(i, n) out[i] = a[i] + b[i % bn];
}

extern "C" __global__ void mul_f32(const float* a, const float* b, float* out, long long n, long long bn) {
    FOR_EACH(i, n) out[i] = a[i] * b[i % bn];
}

extern "C" __global__ void scale_f32(const float* x, float s, float* out, long long n) {
    FOR_EACH(i, n) out[i] = x[i] * s;
}

__device__ __forceinline__ float load_as_float(const void* p, int type, long long i) {
    if (type == 0) return static_cast<const float*>(p)[i];
    if (type == 1) return __half2float(static_cast<const __half*>(p)[i]);
    return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
}

// Copies n values converting between F32 (0), F16 (1) and BF16 (30), rounding to nearest even.
extern "C" __global__ void convert(const void* src, int srcType, void* dst, int dstType, long long n) {
    FOR_EACH(i, n) {
        float v = load_as_float(src, srcType, i);
        if (dstType == 0) static_cast<float*>(dst)[i] = v;
        else if (dstType == 1) static_cast<__half*>(dst)[i] = __float2half_rn(v);
        else static_cast<__nv_bfloat16*>(dst)[i] = __float2bfloat16_rn(v);
    }
}
