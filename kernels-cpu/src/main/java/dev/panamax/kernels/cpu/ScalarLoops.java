package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The element-wise kernels of {@link VectorKernels} ({@link VectorKernels.Unary}, {@link VectorKernels.Binary})
 * as plain loops over {@link ScalarKernels}' per-element functions, for inputs too small for vectors to pay
 * ({@link SmallShapes}). Scalar code is compiled by C1 within a few calls and never boxes, where Vector API
 * code runs 20-100x slower until C2 has compiled it: the first tokens of a small model run here.
 */
final class ScalarLoops {
    private ScalarLoops() {
    }

    /** {@code out[i] = f(x[i])} for i in {@code [from, to)} ({@code s}: the scale or the cap). */
    static void unary(VectorKernels.Unary f, float s, MemorySegment x, long xo, MemorySegment out, long oo, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = ScalarKernels.get(x, xo, i);
            ScalarKernels.set(out, oo, i, switch (f) {
                case SILU -> ScalarKernels.silu(v);
                case GELU_TANH -> ScalarKernels.geluTanh(v);
                case GELU_ERF -> ScalarKernels.geluErf(v);
                case SCALE -> v * s;
                case SOFTCAP -> ScalarKernels.softcap(v, s);
            });
        }
    }

    /**
     * {@code out[i] = a[i] op b[i % bCols]} for i in {@code [0, n)}: {@code bCols} is n, or the row length when b is
     * one row for every row of a; {@code p}, {@code r}: clamped SwiGLU's alpha and limit.
     */
    static void binary(VectorKernels.Binary f, float p, float r, MemorySegment a, long ao, MemorySegment b, long bo, int bCols,
            MemorySegment out, long oo, int n) {
        for (int i = 0, j = 0; i < n; i++, j = j + 1 == bCols ? 0 : j + 1) {
            float x = ScalarKernels.get(a, ao, i);
            float y = ScalarKernels.get(b, bo, j);
            ScalarKernels.set(out, oo, i, switch (f) {
                case ADD -> x + y;
                case MUL -> x * y;
                case SWIGLU -> ScalarKernels.silu(x) * y;
                case GEGLU_TANH -> ScalarKernels.geluTanh(x) * y;
                case GEGLU_ERF -> ScalarKernels.geluErf(x) * y;
                case CLAMPED_SWIGLU -> ScalarKernels.clampedSwiglu(x, y, p, r);
            });
        }
    }
}
