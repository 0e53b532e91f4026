package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The "reference" backend: plain scalar Java on the caller's thread, one short loop per kernel
 * ({@link ScalarKernels}, {@link ScalarAttention}, {@link ReferenceMatmul}). Slow and easy to read; the oracle every faster
 * backend is tested against.
 */
public final class ReferenceOps implements Ops {
    static final String NAME = "reference";

    /** A reference backend. */
    public ReferenceOps() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Embedding.copy(src, dst);
    }

    @Override
    public void headMatmul(Tensor x, Tensor w, Tensor out) {
        HeadMatmul.reference(x, w, out);
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor out) {
        Checks.matmulOperands(x, w, out);
        ReferenceMatmul.matmul(x, w, out);
    }

    @Override
    public void embed(Tensor table, int[] ids, Tensor out) {
        Embedding.embed(table, ids, out);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        RowShape s = RowShape.norm("rmsNorm", x, weight, null, out);
        for (int r = 0; r < s.rows(); r++) {
            ScalarKernels.rmsNorm(x.segment(), s.x(r), weight.segment(), weight.byteOffset(), eps, out.segment(), s.out(r),
                    s.cols());
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out) {
        RowShape s = RowShape.norm("layerNorm", x, weight, bias, out);
        MemorySegment w = weight == null ? null : weight.segment();
        MemorySegment b = bias == null ? null : bias.segment();
        long wo = weight == null ? 0 : weight.byteOffset();
        long bo = bias == null ? 0 : bias.byteOffset();
        for (int r = 0; r < s.rows(); r++) {
            ScalarKernels.layerNorm(x.segment(), s.x(r), w, wo, b, bo, eps, out.segment(), s.out(r), s.cols());
        }
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        RowShape s = RowShape.unary("softmax", x, out);
        for (int r = 0; r < s.rows(); r++) {
            ScalarKernels.softmax(x.segment(), s.x(r), out.segment(), s.out(r), s.cols());
        }
    }

    @Override
    public void rope(Tensor x, int startPos, Rope rope, Tensor out) {
        RowShape.rope(x, startPos, rope, out);
        int tokens = (int) x.size(0);
        int heads = (int) x.size(1);
        int d = (int) x.size(2);
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                long e = 4L * ((long) t * heads + h) * d;
                ScalarKernels.ropeHead(x.segment(), x.byteOffset() + e, startPos + t, rope, out.segment(), out.byteOffset() + e, d);
            }
        }
    }

    @Override
    public void silu(Tensor x, Tensor out) {
        RowShape.unary("silu", x, out);
        for (long i = 0; i < x.numel(); i++) {
            set(out, i, ScalarKernels.silu(get(x, i)));
        }
    }

    @Override
    public void gelu(Tensor x, Gelu approximation, Tensor out) {
        RowShape.unary("gelu", x, out);
        boolean tanh = RowShape.gelu(approximation) == Gelu.TANH;
        for (long i = 0; i < x.numel(); i++) {
            float v = get(x, i);
            set(out, i, tanh ? ScalarKernels.geluTanh(v) : ScalarKernels.geluErf(v));
        }
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        RowShape.binary("swiglu", gate, up, out, false);
        for (long i = 0; i < gate.numel(); i++) {
            set(out, i, ScalarKernels.silu(get(gate, i)) * get(up, i));
        }
    }

    @Override
    public void geglu(Tensor gate, Tensor up, Gelu approximation, Tensor out) {
        RowShape.binary("geglu", gate, up, out, false);
        boolean tanh = RowShape.gelu(approximation) == Gelu.TANH;
        for (long i = 0; i < gate.numel(); i++) {
            float g = get(gate, i);
            set(out, i, (tanh ? ScalarKernels.geluTanh(g) : ScalarKernels.geluErf(g)) * get(up, i));
        }
    }

    @Override
    public void clampedSwiglu(Tensor gate, Tensor up, float alpha, float limit, Tensor out) {
        RowShape.binary("clampedSwiglu", gate, up, out, false);
        Checks.finite("clampedSwiglu", "alpha", alpha);
        Checks.positiveFinite("clampedSwiglu", "limit", limit);
        for (long i = 0; i < gate.numel(); i++) {
            set(out, i, ScalarKernels.clampedSwiglu(get(gate, i), get(up, i), alpha, limit));
        }
    }

    @Override
    public void softcap(Tensor x, float cap, Tensor out) {
        RowShape.unary("softcap", x, out);
        Checks.positiveFinite("softcap", "cap", cap);
        for (long i = 0; i < x.numel(); i++) {
            set(out, i, ScalarKernels.softcap(get(x, i), cap));
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        long cols = RowShape.binary("add", a, b, out, true).bCols();
        for (long i = 0; i < a.numel(); i++) {
            set(out, i, get(a, i) + get(b, i % cols));
        }
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        long cols = RowShape.binary("mul", a, b, out, true).bCols();
        for (long i = 0; i < a.numel(); i++) {
            set(out, i, get(a, i) * get(b, i % cols));
        }
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        RowShape.unary("scale", x, out);
        for (long i = 0; i < x.numel(); i++) {
            set(out, i, get(x, i) * s);
        }
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, int startPos, float scale, Attention options,
            Tensor out) {
        Checks.attention(q, kCache, vCache, startPos, options, out);
        ScalarAttention.attention(q, kCache, vCache, startPos, scale, options, out);
    }

    @Override
    public void argmax(Tensor x, int[] out) {
        RowShape s = RowShape.argmax(x, out);
        for (int r = 0; r < s.rows(); r++) {
            out[r] = ScalarKernels.argmax(x.segment(), s.x(r), s.cols());
        }
    }

    private static float get(Tensor t, long i) {
        return ScalarKernels.get(t.segment(), t.byteOffset(), i);
    }

    private static void set(Tensor t, long i, float v) {
        ScalarKernels.set(t.segment(), t.byteOffset(), i, v);
    }
}
