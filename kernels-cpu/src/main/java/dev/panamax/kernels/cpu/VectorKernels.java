package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.VectorMath.F;
import static dev.panamax.kernels.cpu.VectorMath.ORDER;

import dev.panamax.tensor.Gelu;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API twins of {@link ScalarKernels} for F32 rows or element ranges. Tails use masked
 * loads and stores, so every element goes through the same arithmetic wherever a range starts.
 */
final class VectorKernels {
    private static final int L = F.length();

    private VectorKernels() {
    }

    static FloatVector load(MemorySegment m, long base, int i) {
        return FloatVector.fromMemorySegment(F, m, base + 4L * i, ORDER);
    }

    static FloatVector load(MemorySegment m, long base, int i, VectorMask<Float> mask) {
        return FloatVector.fromMemorySegment(F, m, base + 4L * i, ORDER, mask);
    }

    /** Sum of squares of a row. */
    static float sumOfSquares(MemorySegment x, long xo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = load(x, xo, i);
            acc = v.fma(v, acc);
        }
        if (i < n) {
            FloatVector v = load(x, xo, i, F.indexInRange(i, n));
            acc = v.fma(v, acc);
        }
        return VectorMath.sum(acc);
    }

    static void rmsNorm(MemorySegment x, long xo, MemorySegment w, long wo, float eps, MemorySegment out, long oo, int n) {
        float inv = 1f / (float) Math.sqrt(sumOfSquares(x, xo, n) / n + eps);
        int i = 0;
        for (; i <= n - L; i += L) {
            load(x, xo, i).mul(inv).mul(load(w, wo, i)).intoMemorySegment(out, oo + 4L * i, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            load(x, xo, i, m).mul(inv).mul(load(w, wo, i, m)).intoMemorySegment(out, oo + 4L * i, ORDER, m);
        }
    }

    static void layerNorm(MemorySegment x, long xo, MemorySegment w, long wo, MemorySegment b, long bo, float eps,
            MemorySegment out, long oo, int n) {
        FloatVector sum = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) {
            sum = sum.add(load(x, xo, i));
        }
        if (i < n) {
            sum = sum.add(load(x, xo, i, F.indexInRange(i, n))); // masked-off lanes load as 0
        }
        float mean = VectorMath.sum(sum) / n;
        FloatVector var = FloatVector.zero(F);
        for (i = 0; i <= n - L; i += L) {
            FloatVector d = load(x, xo, i).sub(mean);
            var = d.fma(d, var);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector d = load(x, xo, i, m).sub(mean);
            var = var.add(d.mul(d), m);
        }
        float inv = 1f / (float) Math.sqrt(VectorMath.sum(var) / n + eps);
        for (i = 0; i <= n - L; i += L) {
            FloatVector y = load(x, xo, i).sub(mean).mul(inv);
            y = w == null ? y : y.mul(load(w, wo, i));
            y = b == null ? y : y.add(load(b, bo, i));
            y.intoMemorySegment(out, oo + 4L * i, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector y = load(x, xo, i, m).sub(mean).mul(inv);
            y = w == null ? y : y.mul(load(w, wo, i, m));
            y = b == null ? y : y.add(load(b, bo, i, m));
            y.intoMemorySegment(out, oo + 4L * i, ORDER, m);
        }
    }

    static void softmax(MemorySegment x, long xo, MemorySegment out, long oo, int n) {
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) {
            max = max.max(load(x, xo, i));
        }
        float mx = max.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            mx = Math.max(mx, ScalarKernels.get(x, xo, i));
        }
        FloatVector sum = FloatVector.zero(F);
        for (i = 0; i <= n - L; i += L) {
            FloatVector e = VectorMath.exp(load(x, xo, i).sub(mx));
            e.intoMemorySegment(out, oo + 4L * i, ORDER);
            sum = sum.add(e);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector e = VectorMath.exp(load(x, xo, i, m).sub(mx));
            e.intoMemorySegment(out, oo + 4L * i, ORDER, m);
            sum = sum.add(e, m);
        }
        float inv = 1f / VectorMath.sum(sum);
        for (i = 0; i <= n - L; i += L) {
            load(out, oo, i).mul(inv).intoMemorySegment(out, oo + 4L * i, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            load(out, oo, i, m).mul(inv).intoMemorySegment(out, oo + 4L * i, ORDER, m);
        }
    }

    /** The unary element-wise kernels over elements {@code [from, to)}. */
    enum Unary {
        SILU, GELU_TANH, GELU_ERF, SCALE, SOFTCAP;

        static Unary gelu(Gelu g) {
            return g == Gelu.TANH ? GELU_TANH : GELU_ERF;
        }
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float MINUS_SQRT_HALF = (float) -Math.sqrt(0.5);

    static void unary(Unary f, float s, MemorySegment x, long xo, MemorySegment out, long oo, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            apply(f, s, load(x, xo, i)).intoMemorySegment(out, oo + 4L * i, ORDER);
        }
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            apply(f, s, load(x, xo, i, m)).intoMemorySegment(out, oo + 4L * i, ORDER, m);
        }
    }

    private static FloatVector apply(Unary f, float s, FloatVector v) {
        return switch (f) {
            case SILU -> VectorMath.silu(v);
            // x * sigmoid(2y), y = sqrt(2/pi) (x + 0.044715 x^3): GPT-2's x/2 (1 + tanh y) without cancellation
            case GELU_TANH -> geluTanh(v);
            case GELU_ERF -> geluErf(v);
            case SCALE -> v.mul(s);
            case SOFTCAP -> VectorMath.tanh(v.div(s)).mul(s); // s: the cap
        };
    }

    private static FloatVector geluTanh(FloatVector v) {
        return v.div(VectorMath.exp(v.mul(v).fma(0.044715f, 1f).mul(v).mul(-2 * SQRT_2_OVER_PI)).add(1f));
    }

    private static FloatVector geluErf(FloatVector v) {
        return v.mul(0.5f).mul(VectorMath.erfc(v.mul(MINUS_SQRT_HALF)));
    }

    /** The binary element-wise kernels. */
    enum Binary {
        ADD, MUL, SWIGLU, GEGLU_TANH, GEGLU_ERF,
        /** gpt-oss's: parameters alpha and limit. */
        CLAMPED_SWIGLU
    }

    /** {@code out[i] = a[i] op b[bStart + i - from]} for i in {@code [from, to)}. */
    static void binary(Binary f, MemorySegment a, long ao, MemorySegment b, long bo, int bStart, MemorySegment out, long oo,
            int from, int to) {
        binary(f, 0, 0, a, ao, b, bo, bStart, out, oo, from, to);
    }

    /** {@link #binary(Binary, MemorySegment, long, MemorySegment, long, int, MemorySegment, long, int, int)} with the op's parameters. */
    static void binary(Binary f, float p, float r, MemorySegment a, long ao, MemorySegment b, long bo, int bStart,
            MemorySegment out, long oo, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            apply(f, p, r, load(a, ao, i), load(b, bo, bStart + i - from)).intoMemorySegment(out, oo + 4L * i, ORDER);
        }
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            apply(f, p, r, load(a, ao, i, m), load(b, bo, bStart + i - from, m)).intoMemorySegment(out, oo + 4L * i, ORDER, m);
        }
    }

    private static FloatVector apply(Binary f, float p, float r, FloatVector x, FloatVector y) {
        return switch (f) {
            case ADD -> x.add(y);
            case MUL -> x.mul(y);
            case SWIGLU -> VectorMath.silu(x).mul(y);
            case GEGLU_TANH -> geluTanh(x).mul(y);
            case GEGLU_ERF -> geluErf(x).mul(y);
            case CLAMPED_SWIGLU -> clampedSwiglu(x, y, p, r);
        };
    }

    /** {@code (clamp(up, -limit, limit) + 1) * g * sigmoid(alpha g)} with {@code g = min(gate, limit)}. */
    private static FloatVector clampedSwiglu(FloatVector gate, FloatVector up, float alpha, float limit) {
        FloatVector g = gate.min(limit);
        FloatVector u = up.max(-limit).min(limit);
        return u.add(1f).mul(g.div(VectorMath.exp(g.mul(-alpha)).add(1f)));
    }

    /** Index of the first largest entry of a row; rows holding NaN take the scalar path, which skips NaN. */
    static int argmax(MemorySegment x, long xo, int n) {
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) {
            max = max.max(load(x, xo, i));
        }
        float mx = max.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            mx = Math.max(mx, ScalarKernels.get(x, xo, i));
        }
        if (Float.isNaN(mx)) {
            return ScalarKernels.argmax(x, xo, n);
        }
        for (i = 0; i <= n - L; i += L) {
            VectorMask<Float> hit = load(x, xo, i).eq(mx);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (ScalarKernels.get(x, xo, i) == mx) {
                return i;
            }
        }
        return 0;
    }
}
