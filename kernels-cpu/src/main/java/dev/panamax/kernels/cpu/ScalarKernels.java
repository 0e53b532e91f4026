package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Rope;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference kernels on F32 rows: one short loop per step, in the spirit of llama2.c's run.c.
 * Arguments are a memory segment and the byte offset of element 0; validation happens in
 * {@link ReferenceOps}. These are the oracle the fast kernels are tested against.
 */
final class ScalarKernels {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ScalarKernels() {
    }

    static float get(MemorySegment m, long base, long i) {
        return m.get(F32, base + 4 * i);
    }

    static void set(MemorySegment m, long base, long i, float v) {
        m.set(F32, base + 4 * i, v);
    }

    /** One row of RMSNorm: {@code out = x / sqrt(mean(x^2) + eps) * w}. */
    static void rmsNorm(MemorySegment x, long xo, MemorySegment w, long wo, float eps, MemorySegment out, long oo, int n) {
        float ss = 0;
        for (int i = 0; i < n; i++) {
            float v = get(x, xo, i);
            ss += v * v;
        }
        float inv = 1f / (float) Math.sqrt(ss / n + eps);
        for (int i = 0; i < n; i++) {
            set(out, oo, i, get(x, xo, i) * inv * get(w, wo, i));
        }
    }

    /** One row of LayerNorm (two passes: mean, then variance around it); w or b may be null. */
    static void layerNorm(MemorySegment x, long xo, MemorySegment w, long wo, MemorySegment b, long bo, float eps,
            MemorySegment out, long oo, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += get(x, xo, i);
        }
        float mean = sum / n;
        float var = 0;
        for (int i = 0; i < n; i++) {
            float d = get(x, xo, i) - mean;
            var += d * d;
        }
        float inv = 1f / (float) Math.sqrt(var / n + eps);
        for (int i = 0; i < n; i++) {
            float y = (get(x, xo, i) - mean) * inv;
            if (w != null) {
                y *= get(w, wo, i);
            }
            if (b != null) {
                y += get(b, bo, i);
            }
            set(out, oo, i, y);
        }
    }

    /** One row of softmax, stable: subtract the maximum before exponentiating. */
    static void softmax(MemorySegment x, long xo, MemorySegment out, long oo, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, get(x, xo, i));
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(get(x, xo, i) - max);
            set(out, oo, i, e);
            sum += e;
        }
        for (int i = 0; i < n; i++) {
            set(out, oo, i, get(out, oo, i) / sum);
        }
    }

    static float silu(float x) {
        return x / (1 + (float) Math.exp(-x));
    }

    /** GELU in double, rounded once: tanh form as {@code x * sigmoid(2y)} (equal to {@code x/2 (1 + tanh y)}, without its cancellation). */
    static float geluTanh(float x) {
        double y = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
        return (float) (x / (1 + Math.exp(-2 * y)));
    }

    /** {@code cap * tanh(x / cap)} in double, rounded once. */
    static float softcap(float x, float cap) {
        return (float) (cap * Math.tanh((double) x / cap));
    }

    /** gpt-oss's clamped SwiGLU in double, rounded once: {@code (clamp(up) + 1) * g * sigmoid(alpha g)}, {@code g = min(gate, limit)}. */
    static float clampedSwiglu(float gate, float up, float alpha, float limit) {
        double g = Math.min(gate, limit);
        double u = Math.max(-limit, Math.min(up, limit));
        return (float) ((u + 1) * g / (1 + Math.exp(-(double) alpha * g)));
    }

    /** Exact GELU in double, rounded once: {@code x * Phi(x) = x/2 * erfc(-x / sqrt 2)}. */
    static float geluErf(float x) {
        return (float) (0.5 * x * Erf.erfc(-x / Math.sqrt(2)));
    }

    /**
     * RoPE of one head of {@code d} entries at position {@code pos}; entries from {@code rope.dims()}
     * on are copied. The angle {@code pos * freq} and its cosine and sine are computed in double.
     */
    static void ropeHead(MemorySegment x, long xo, int pos, Rope rope, MemorySegment out, long oo, int d) {
        int pairs = rope.dims() / 2;
        boolean interleaved = rope.layout() == Rope.Layout.INTERLEAVED;
        for (int i = 0; i < pairs; i++) {
            double angle = pos * (double) rope.inverseFrequency(i);
            float c = (float) Math.cos(angle);
            float s = (float) Math.sin(angle);
            int a = interleaved ? 2 * i : i;
            int b = interleaved ? 2 * i + 1 : i + pairs;
            float x0 = get(x, xo, a);
            float x1 = get(x, xo, b);
            set(out, oo, a, x0 * c - x1 * s);
            set(out, oo, b, x0 * s + x1 * c);
        }
        for (int i = rope.dims(); i < d; i++) {
            set(out, oo, i, get(x, xo, i));
        }
    }

    /** Index of the largest entry (the first on ties; NaN entries are skipped). */
    static int argmax(MemorySegment x, long xo, int n) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = get(x, xo, i);
            if (v > max) {
                max = v;
                best = i;
            }
        }
        return best;
    }
}
