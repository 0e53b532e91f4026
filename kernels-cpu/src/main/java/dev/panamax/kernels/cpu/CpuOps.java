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
 * Inputs at or below the {@link SmallShapes} thresholds run scalar code on the caller's thread:
 * their vectors would gain little, and until compiled they are what slows the first tokens.
 *
 * <p>A call allocates nothing: the arguments of the call in progress live in one reused work item
 * ({@link Call}), not in a lambda per call.
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
    private final LowRankAdd lowRank = new LowRankAdd();
    private final SmallShapes small;
    private final ThreadLocal<VectorRope.Tables> ropeTables = ThreadLocal.withInitial(VectorRope.Tables::new);
    private final Call call = new Call();
    /** Work space of the small-shape attention ({@link SmallAttention}), grown on demand. */
    private float[] scores = new float[0];
    /** Staging of an F16 cache's rows for {@link SmallAttention}, grown on demand. */
    private short[] staging = new short[0];

    /** A backend using every available processor. */
    public CpuOps() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A backend whose kernels use {@code threads} threads, the caller's included.
     *
     * @param threads threads in all, 1 to {@link ParallelFor#MAX_THREADS}
     */
    public CpuOps(int threads) {
        this(threads, SmallShapes.defaults());
    }

    /** A backend whose kernels run scalar up to the sizes of {@code small} (tests choose the path). */
    CpuOps(int threads, SmallShapes small) {
        this.pool = new ParallelFor(threads);
        this.attention = new FlashAttention(pool);
        this.small = small;
        this.matmul = new CpuMatmul(pool, small.matmulWork()); // OpenBLAS looked up on the first wide batch
        this.headMatmul = new HeadMatmul(pool, matmul);
    }

    @Override
    public String name() {
        return "cpu";
    }

    /**
     * Number of threads the kernels use.
     *
     * @return the team's size, the caller's thread included
     */
    public int threads() {
        return pool.threads();
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Embedding.copy(src, dst);
    }

    @Override
    public void copyRows(Tensor src, Tensor dst, long firstRow) {
        Embedding.copyRows(src, dst, firstRow);
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor out) {
        Checks.matmulOperands(x, w, out);
        matmul.matmul(x, w, out);
    }

    /** Decode steps fused on the caller's thread ({@link LowRankAdd}); prompts as two matmuls and an add. */
    @Override
    public void addLowRank(Tensor x, Tensor a, Tensor b, Tensor low, Tensor delta, Tensor out) {
        if (x.rank() != 2 || !LowRankAdd.takes((int) Math.min(Integer.MAX_VALUE, x.size(0)), a.dtype(), b.dtype())) {
            Ops.super.addLowRank(x, a, b, low, delta, out);
            return;
        }
        Checks.matmulOperands(x, a, low);
        Checks.matmulOperands(low, b, out);
        Checks.disjoint("addLowRank", "out", out, "x", x);
        Checks.disjoint("addLowRank", "out", out, "a", a);
        lowRank.add(x, a, b, low, out);
    }

    @Override
    public void matmuls(Tensor[] x, Tensor[] w, Tensor[] out, int count) {
        for (int i = 0; i < count; i++) {
            Checks.matmulOperands(x[i], w[i], out[i]);
        }
        matmul.matmuls(x, w, out, count);
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

    private boolean scalar(Tensor x) {
        return x.numel() <= small.elements();
    }

    /** Byte offset of row {@code r} of a contiguous F32 tensor of rows of {@code cols}. */
    private static long row(Tensor t, int r, int cols) {
        return t.byteOffset() + 4L * r * cols;
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        RowShape.checkNorm("rmsNorm", x, weight, null, out);
        int rows = Checks.rows("rmsNorm", x), cols = Checks.cols("rmsNorm", x);
        if (scalar(x)) {
            for (int r = 0; r < rows; r++) {
                ScalarKernels.rmsNorm(x.segment(), row(x, r, cols), weight.segment(), weight.byteOffset(), eps, out.segment(),
                        row(out, r, cols), cols);
            }
            return;
        }
        call.rows(Kind.RMS_NORM, x, out, cols).with(weight, null).params(eps, 0).run(pool, rows, rowGrain(cols));
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out) {
        RowShape.checkNorm("layerNorm", x, weight, bias, out);
        int rows = Checks.rows("layerNorm", x), cols = Checks.cols("layerNorm", x);
        if (scalar(x)) {
            MemorySegment w = weight == null ? null : weight.segment();
            MemorySegment b = bias == null ? null : bias.segment();
            long wo = weight == null ? 0 : weight.byteOffset();
            long bo = bias == null ? 0 : bias.byteOffset();
            for (int r = 0; r < rows; r++) {
                ScalarKernels.layerNorm(x.segment(), row(x, r, cols), w, wo, b, bo, eps, out.segment(), row(out, r, cols), cols);
            }
            return;
        }
        call.rows(Kind.LAYER_NORM, x, out, cols).with(weight, bias).params(eps, 0).run(pool, rows, rowGrain(cols));
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        RowShape.checkUnary("softmax", x, out);
        int rows = Checks.rows("softmax", x), cols = Checks.cols("softmax", x);
        if (scalar(x)) {
            for (int r = 0; r < rows; r++) {
                ScalarKernels.softmax(x.segment(), row(x, r, cols), out.segment(), row(out, r, cols), cols);
            }
            return;
        }
        call.rows(Kind.SOFTMAX, x, out, cols).run(pool, rows, rowGrain(cols));
    }

    @Override
    public void rope(Tensor x, int startPos, Rope rope, Tensor out) {
        RowShape.rope(x, startPos, rope, out);
        int tokens = (int) x.size(0);
        int heads = (int) x.size(1);
        int d = (int) x.size(2);
        Call c = call.tensors(Kind.ROPE, x, null, out);
        c.rope = rope;
        c.startPos = startPos;
        c.heads = heads;
        c.cols = d;
        c.run(pool, tokens, rowGrain(heads * d));
    }

    @Override
    public void silu(Tensor x, Tensor out) {
        RowShape.checkUnary("silu", x, out);
        unary(VectorKernels.Unary.SILU, 0, x, out);
    }

    @Override
    public void gelu(Tensor x, Gelu approximation, Tensor out) {
        RowShape.checkUnary("gelu", x, out);
        unary(VectorKernels.Unary.gelu(RowShape.gelu(approximation)), 0, x, out);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        RowShape.checkUnary("scale", x, out);
        unary(VectorKernels.Unary.SCALE, s, x, out);
    }

    @Override
    public void softcap(Tensor x, float cap, Tensor out) {
        RowShape.checkUnary("softcap", x, out);
        Checks.positiveFinite("softcap", "cap", cap);
        unary(VectorKernels.Unary.SOFTCAP, cap, x, out);
    }

    private void unary(VectorKernels.Unary f, float s, Tensor x, Tensor out) {
        int n = (int) x.numel();
        if (n <= small.elements()) {
            ScalarLoops.unary(f, s, x.segment(), x.byteOffset(), out.segment(), out.byteOffset(), 0, n);
            return;
        }
        Call c = call.tensors(Kind.UNARY, x, null, out).params(s, 0);
        c.unary = f;
        c.n = n;
        c.run(pool, blocks(n), MIN_WORK / BLOCK);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        RowShape.checkBinary("swiglu", gate, up, out, false);
        binary(VectorKernels.Binary.SWIGLU, 0, 0, gate, up, out, false);
    }

    @Override
    public void geglu(Tensor gate, Tensor up, Gelu approximation, Tensor out) {
        RowShape.checkBinary("geglu", gate, up, out, false);
        boolean tanh = RowShape.gelu(approximation) == Gelu.TANH;
        binary(tanh ? VectorKernels.Binary.GEGLU_TANH : VectorKernels.Binary.GEGLU_ERF, 0, 0, gate, up, out, false);
    }

    @Override
    public void clampedSwiglu(Tensor gate, Tensor up, float alpha, float limit, Tensor out) {
        RowShape.checkBinary("clampedSwiglu", gate, up, out, false);
        Checks.finite("clampedSwiglu", "alpha", alpha);
        Checks.positiveFinite("clampedSwiglu", "limit", limit);
        binary(VectorKernels.Binary.CLAMPED_SWIGLU, alpha, limit, gate, up, out, false);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        binary(VectorKernels.Binary.ADD, 0, 0, a, b, out, RowShape.checkBinary("add", a, b, out, true));
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        binary(VectorKernels.Binary.MUL, 0, 0, a, b, out, RowShape.checkBinary("mul", a, b, out, true));
    }

    /** {@code out = a op b}; with {@code rowOfB}, b is one row, combined with every row of a. */
    private void binary(VectorKernels.Binary f, float p, float r, Tensor a, Tensor b, Tensor out, boolean rowOfB) {
        int n = (int) a.numel();
        int cols = rowOfB ? (int) a.size(-1) : n;
        if (n <= small.elements()) {
            ScalarLoops.binary(f, p, r, a.segment(), a.byteOffset(), b.segment(), b.byteOffset(), cols, out.segment(),
                    out.byteOffset(), n);
            return;
        }
        Call c = call.tensors(rowOfB ? Kind.BINARY_ROW : Kind.BINARY, a, b, out).params(p, r);
        c.binary = f;
        c.n = n;
        c.cols = cols;
        if (rowOfB) {
            c.run(pool, n / cols, rowGrain(cols));
        } else {
            c.run(pool, blocks(n), MIN_WORK / BLOCK);
        }
    }

    private static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, int startPos, float scale, Attention options,
            Tensor out) {
        Checks.attention(q, kCache, vCache, startPos, options, out);
        int tokens = (int) q.size(0);
        int positions = startPos + tokens;
        if ((long) tokens * q.size(1) * q.size(2) * positions <= small.attentionWork()) {
            int size = SmallAttention.workSize(q, kCache, startPos, options);
            if (scores.length < size) {
                scores = new float[Math.max(size, 2 * scores.length)];
            }
            int shorts = SmallAttention.stagingSize(q, kCache, startPos, options);
            if (staging.length < shorts) {
                staging = new short[Math.max(shorts, 2 * staging.length)];
            }
            SmallAttention.attention(q, kCache, vCache, startPos, scale, options, out, scores, staging);
            return;
        }
        attention.run(q, kCache, vCache, startPos, scale, options, out);
    }

    @Override
    public void argmax(Tensor x, int[] out) {
        RowShape s = RowShape.argmax(x, out);
        Call c = call.rows(Kind.ARGMAX, x, null, s.cols());
        c.ids = out;
        c.run(pool, s.rows(), rowGrain(s.cols()));
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        pool.close();
    }

    /** What the call in progress computes. */
    private enum Kind { RMS_NORM, LAYER_NORM, SOFTMAX, ROPE, UNARY, BINARY, BINARY_ROW, ARGMAX }

    /**
     * The arguments of the call in progress and its work: one object reused by every call, so that a call
     * allocates no lambda ({@link ParallelFor#run} publishes the fields to the team and returns when all items
     * are done; one caller at a time). Fields are cleared after each call so that no tensor stays reachable.
     */
    private final class Call implements ParallelFor.Body {
        private Kind kind;
        private MemorySegment a, b, c, out;
        private long ao, bo, co, oo;
        private int cols, n, heads, startPos;
        private float p, r;
        private Rope rope;
        private VectorKernels.Unary unary;
        private VectorKernels.Binary binary;
        private int[] ids;

        /** A row-wise call on {@code x -> o} (o null for argmax), rows of {@code columns}. */
        Call rows(Kind k, Tensor x, Tensor o, int columns) {
            kind = k;
            a = x.segment();
            ao = x.byteOffset();
            out = o == null ? null : o.segment();
            oo = o == null ? 0 : o.byteOffset();
            cols = columns;
            return this;
        }

        /** An element-wise call on {@code x (op y) -> o}. */
        Call tensors(Kind k, Tensor x, Tensor y, Tensor o) {
            kind = k;
            a = x.segment();
            ao = x.byteOffset();
            b = y == null ? null : y.segment();
            bo = y == null ? 0 : y.byteOffset();
            out = o.segment();
            oo = o.byteOffset();
            return this;
        }

        /** The norms' weight and bias (either may be null). */
        Call with(Tensor weight, Tensor bias) {
            b = weight == null ? null : weight.segment();
            bo = weight == null ? 0 : weight.byteOffset();
            c = bias == null ? null : bias.segment();
            co = bias == null ? 0 : bias.byteOffset();
            return this;
        }

        Call params(float first, float second) {
            p = first;
            r = second;
            return this;
        }

        void run(ParallelFor team, int items, int grain) {
            try {
                team.run(items, grain, this);
            } finally {
                a = b = c = out = null;
                rope = null;
                ids = null;
            }
        }

        @Override
        public void run(int start, int end) {
            switch (kind) {
                case RMS_NORM -> {
                    for (int i = start; i < end; i++) {
                        VectorKernels.rmsNorm(a, row(ao, i), b, bo, p, out, row(oo, i), cols);
                    }
                }
                case LAYER_NORM -> {
                    for (int i = start; i < end; i++) {
                        VectorKernels.layerNorm(a, row(ao, i), b, bo, c, co, p, out, row(oo, i), cols);
                    }
                }
                case SOFTMAX -> {
                    for (int i = start; i < end; i++) {
                        VectorKernels.softmax(a, row(ao, i), out, row(oo, i), cols);
                    }
                }
                case ARGMAX -> {
                    for (int i = start; i < end; i++) {
                        ids[i] = VectorKernels.argmax(a, row(ao, i), cols);
                    }
                }
                case ROPE -> {
                    VectorRope.Tables tables = ropeTables.get();
                    for (int t = start; t < end; t++) {
                        tables.fill(rope, startPos + t);
                        for (int h = 0; h < heads; h++) {
                            long e = 4L * ((long) t * heads + h) * cols;
                            VectorRope.head(a, ao + e, rope, tables, out, oo + e, cols);
                        }
                    }
                }
                case UNARY -> VectorKernels.unary(unary, p, a, ao, out, oo, start * BLOCK, Math.min(n, end * BLOCK));
                case BINARY -> VectorKernels.binary(binary, p, r, a, ao, b, bo, start * BLOCK, out, oo, start * BLOCK,
                        Math.min(n, end * BLOCK));
                case BINARY_ROW -> { // b is one row, combined with every row of a
                    for (int i = start; i < end; i++) {
                        VectorKernels.binary(binary, p, r, a, ao, b, bo, 0, out, oo, i * cols, (i + 1) * cols);
                    }
                }
            }
        }

        private long row(long offset, int i) {
            return offset + 4L * i * cols;
        }
    }
}
