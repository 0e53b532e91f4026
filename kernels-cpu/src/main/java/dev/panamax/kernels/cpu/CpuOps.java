package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The "cpu" backend: Vector API kernels ({@link VectorKernels}, {@link VectorRope},
 * {@link FlashAttention}, {@link CpuMatmul}) spread over a {@link ParallelFor} team.
 *
 * <p>Work is split into rows (norms, softmax, broadcast add/mul, RoPE tokens, argmax) or into blocks
 * of {@link #BLOCK} elements (element-wise kernels); each item is computed the same way whoever runs
 * it, so results do not depend on the thread count. Grains are chosen so that an item batch is
 * at least about {@link #MIN_WORK} elements: small inputs run inline on the caller's thread.
 */
public final class CpuOps implements Ops {
    /** Elements per work item of the element-wise kernels: a multiple of every vector length. */
    static final int BLOCK = 4096;
    /** Roughly the elements of work below which a hand-off to other threads does not pay. */
    static final int MIN_WORK = 16_384;

    private final ParallelFor pool;
    private final FlashAttention attention;
    private final CpuMatmul matmul;
    private final HeadMatmul headMatmul;
    private final ThreadLocal<VectorRope.Tables> ropeTables = ThreadLocal.withInitial(VectorRope.Tables::new);

    /** A backend using every available processor. */
    public CpuOps() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend whose kernels use {@code threads} threads, the caller's included. */
    public CpuOps(int threads) {
        this.pool = new ParallelFor(threads);
        this.attention = new FlashAttention(pool);
        this.matmul = new CpuMatmul(pool);
        this.headMatmul = new HeadMatmul(pool, matmul);
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** Number of threads the kernels use. */
    public int threads() {
        return pool.threads();
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Embedding.copy(src, dst);
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor out) {
        Checks.matmulOperands(x, w, out);
        matmul.matmul(x, w, out);
    }

    @Override
    public void headMatmul(Tensor x, Tensor w, Tensor out) {
        headMatmul.run(x, w, out);
    }

    @Override
    public void embed(Tensor table, int[] ids, Tensor out) {
        Embedding.embed(table, ids, out);
    }

    private static int rowGrain(int cols) {
        return Math.max(1, MIN_WORK / Math.max(1, cols));
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        RowShape s = RowShape.norm("rmsNorm", x, weight, null, out);
        MemorySegment xm = x.segment();
        MemorySegment wm = weight.segment();
        MemorySegment om = out.segment();
        long wo = weight.byteOffset();
        pool.run(s.rows(), rowGrain(s.cols()), (start, end) -> {
            for (int r = start; r < end; r++) {
                VectorKernels.rmsNorm(xm, s.x(r), wm, wo, eps, om, s.out(r), s.cols());
            }
        });
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out) {
        RowShape s = RowShape.norm("layerNorm", x, weight, bias, out);
        MemorySegment xm = x.segment();
        MemorySegment wm = weight == null ? null : weight.segment();
        MemorySegment bm = bias == null ? null : bias.segment();
        long wo = weight == null ? 0 : weight.byteOffset();
        long bo = bias == null ? 0 : bias.byteOffset();
        MemorySegment om = out.segment();
        pool.run(s.rows(), rowGrain(s.cols()), (start, end) -> {
            for (int r = start; r < end; r++) {
                VectorKernels.layerNorm(xm, s.x(r), wm, wo, bm, bo, eps, om, s.out(r), s.cols());
            }
        });
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        RowShape s = RowShape.unary("softmax", x, out);
        MemorySegment xm = x.segment();
        MemorySegment om = out.segment();
        pool.run(s.rows(), rowGrain(s.cols()), (start, end) -> {
            for (int r = start; r < end; r++) {
                VectorKernels.softmax(xm, s.x(r), om, s.out(r), s.cols());
            }
        });
    }

    @Override
    public void rope(Tensor x, int startPos, Rope rope, Tensor out) {
        RowShape.rope(x, startPos, rope, out);
        int tokens = (int) x.size(0);
        int heads = (int) x.size(1);
        int d = (int) x.size(2);
        MemorySegment xm = x.segment();
        MemorySegment om = out.segment();
        pool.run(tokens, rowGrain(heads * d), (start, end) -> {
            VectorRope.Tables tables = ropeTables.get();
            for (int t = start; t < end; t++) {
                tables.fill(rope, startPos + t);
                for (int h = 0; h < heads; h++) {
                    long e = 4L * ((long) t * heads + h) * d;
                    VectorRope.head(xm, x.byteOffset() + e, rope, tables, om, out.byteOffset() + e, d);
                }
            }
        });
    }

    @Override
    public void silu(Tensor x, Tensor out) {
        RowShape.unary("silu", x, out);
        unary(VectorKernels.Unary.SILU, 0, x, out);
    }

    @Override
    public void gelu(Tensor x, Gelu approximation, Tensor out) {
        RowShape.unary("gelu", x, out);
        unary(VectorKernels.Unary.gelu(RowShape.gelu(approximation)), 0, x, out);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        RowShape.unary("scale", x, out);
        unary(VectorKernels.Unary.SCALE, s, x, out);
    }

    @Override
    public void softcap(Tensor x, float cap, Tensor out) {
        RowShape.unary("softcap", x, out);
        Checks.positiveFinite("softcap", "cap", cap);
        unary(VectorKernels.Unary.SOFTCAP, cap, x, out);
    }

    private void unary(VectorKernels.Unary f, float s, Tensor x, Tensor out) {
        MemorySegment xm = x.segment();
        MemorySegment om = out.segment();
        long xo = x.byteOffset();
        long oo = out.byteOffset();
        int n = (int) x.numel();
        pool.run(blocks(n), MIN_WORK / BLOCK, (start, end) ->
                VectorKernels.unary(f, s, xm, xo, om, oo, start * BLOCK, Math.min(n, end * BLOCK)));
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        RowShape.binary("swiglu", gate, up, out, false);
        binary(VectorKernels.Binary.SWIGLU, gate, up, out, false);
    }

    @Override
    public void geglu(Tensor gate, Tensor up, Gelu approximation, Tensor out) {
        RowShape.binary("geglu", gate, up, out, false);
        boolean tanh = RowShape.gelu(approximation) == Gelu.TANH;
        binary(tanh ? VectorKernels.Binary.GEGLU_TANH : VectorKernels.Binary.GEGLU_ERF, gate, up, out, false);
    }

    @Override
    public void clampedSwiglu(Tensor gate, Tensor up, float alpha, float limit, Tensor out) {
        RowShape.binary("clampedSwiglu", gate, up, out, false);
        Checks.finite("clampedSwiglu", "alpha", alpha);
        Checks.positiveFinite("clampedSwiglu", "limit", limit);
        MemorySegment gm = gate.segment();
        MemorySegment um = up.segment();
        MemorySegment om = out.segment();
        long go = gate.byteOffset();
        long uo = up.byteOffset();
        long oo = out.byteOffset();
        int n = (int) gate.numel();
        pool.run(blocks(n), MIN_WORK / BLOCK, (start, end) -> VectorKernels.binary(VectorKernels.Binary.CLAMPED_SWIGLU,
                alpha, limit, gm, go, um, uo, start * BLOCK, om, oo, start * BLOCK, Math.min(n, end * BLOCK)));
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        RowShape s = RowShape.binary("add", a, b, out, true);
        binary(VectorKernels.Binary.ADD, a, b, out, s.bCols() != a.numel());
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        RowShape s = RowShape.binary("mul", a, b, out, true);
        binary(VectorKernels.Binary.MUL, a, b, out, s.bCols() != a.numel());
    }

    private void binary(VectorKernels.Binary f, Tensor a, Tensor b, Tensor out, boolean rowOfB) {
        MemorySegment am = a.segment();
        MemorySegment bm = b.segment();
        MemorySegment om = out.segment();
        long ao = a.byteOffset();
        long bo = b.byteOffset();
        long oo = out.byteOffset();
        int n = (int) a.numel();
        if (rowOfB) { // b is one row, added to (or multiplied with) every row of a
            int cols = (int) a.size(-1);
            pool.run(n / cols, rowGrain(cols), (start, end) -> {
                for (int r = start; r < end; r++) {
                    VectorKernels.binary(f, am, ao, bm, bo, 0, om, oo, r * cols, (r + 1) * cols);
                }
            });
        } else {
            pool.run(blocks(n), MIN_WORK / BLOCK, (start, end) -> VectorKernels.binary(f, am, ao, bm, bo, start * BLOCK,
                    om, oo, start * BLOCK, Math.min(n, end * BLOCK)));
        }
    }

    private static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, int startPos, float scale, Attention options,
            Tensor out) {
        Checks.attention(q, kCache, vCache, startPos, options, out);
        attention.run(q, kCache, vCache, startPos, scale, options, out);
    }

    @Override
    public void argmax(Tensor x, int[] out) {
        RowShape s = RowShape.argmax(x, out);
        MemorySegment xm = x.segment();
        pool.run(s.rows(), rowGrain(s.cols()), (start, end) -> {
            for (int r = start; r < end; r++) {
                out[r] = VectorKernels.argmax(xm, s.x(r), s.cols());
            }
        });
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        pool.close();
    }
}
