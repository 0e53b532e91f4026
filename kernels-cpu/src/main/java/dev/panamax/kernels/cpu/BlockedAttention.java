package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.VectorMath.F;
import static dev.panamax.kernels.cpu.VectorMath.ORDER;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The attention of a prompt (many query rows per call): {@link FlashAttention}'s online softmax, reorganised so that
 * no score needs a horizontal sum. {@link FlashAttention} takes one query row at a time and sums each score's
 * {@code d} products across a vector's lanes: at 512 positions that ran at ~5% of the FMA peak and was a quarter of a
 * pp512 (JFR, docs/benchmarks.md). Here K is first copied transposed ({@code kT[(g d + i) P + p]}, positions
 * contiguous), once per call for every query that reads it, and a work item is one query position with
 * {@value #HEADS} query heads of one KV group: the scores of a tile of {@link #TILE} positions (one vector) for the
 * four heads are {@code sum_i q_hi kT[i]}, one vector load and four fused multiply-adds per {@code i}; the values of
 * a tile go into the four heads' accumulators one vector load and four FMAs per position and vector of {@code d}.
 * The softmax recurrence per head and tile is {@link FlashAttention}'s, term for term (same tile maximum,
 * rescaling, vector exp and sink step), on tiles of {@link #TILE} positions instead of {@value FlashAttention#TILE}.
 *
 * <p>Taken for calls of at least {@value #MIN_TOKENS} query rows whose head size is a multiple of the vector length
 * and whose transposed K fits {@value #MAX_TRANSPOSED} floats; a group of query heads not a multiple of four repeats
 * its last head to fill the item (the repeat's result is not stored).
 */
final class BlockedAttention {
    /** Positions per tile: one vector of scores. */
    static final int TILE = F.length();
    /** Query heads per work item. */
    static final int HEADS = 4;
    /** Fewest query rows of a call that take this path: below that the copy of K is reused too little. */
    static final int MIN_TOKENS = 8;
    /** Largest transposed K (floats) this path copies; longer contexts stay with {@link FlashAttention}. */
    static final int MAX_TRANSPOSED = 1 << 22;

    private final ParallelFor pool;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final Job job = new Job();
    /** K transposed, {@code kT[(g d + i) stride + p - p0]}; grown on demand, read by every thread of a call. */
    private float[] kT = new float[0];

    BlockedAttention(ParallelFor pool) {
        this.pool = pool;
    }

    /** True when a call of this shape takes this path. */
    static boolean takes(int tokens, int d, int positions, int hkv) {
        return tokens >= MIN_TOKENS && d % TILE == 0 && (long) (positions + 2 * TILE) * hkv * d <= MAX_TRANSPOSED;
    }

    private static final class Scratch {
        final float[] probabilities = new float[HEADS * TILE];
        final float[] max = new float[HEADS];
        final float[] sum = new float[HEADS];
        float[] queries = new float[0];
        float[] acc = new float[0];

        void size(int d) {
            if (acc.length < HEADS * d) {
                acc = new float[HEADS * d];
                queries = new float[HEADS * d];
            }
        }
    }

    /** See {@link dev.panamax.tensor.Ops#attention}; arguments already validated and {@link #takes} true. */
    void run(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out) {
        int tokens = (int) q.size(0);
        int hq = (int) q.size(1);
        int d = (int) q.size(2);
        int hkv = (int) k.size(1);
        int p0 = Integer.MAX_VALUE, p1 = 0;
        for (int t = 0; t < tokens; t++) {
            p0 = Math.min(p0, options.firstVisible(startPos + t));
            p1 = Math.max(p1, options.lastVisible(startPos + t, startPos + tokens - 1));
        }
        int stride = (p1 - p0 + 1 + TILE - 1) / TILE * TILE + TILE; // a tile's load may start at any visible position
        transpose(k, hkv, d, p0, p1, stride);
        int quads = (hq / hkv + HEADS - 1) / HEADS;
        int items = hkv * tokens * quads;
        long work = (long) HEADS * (p1 - p0 + 1) * d; // rough multiply-adds of one item
        int grain = (int) Math.max(1, Math.min(items, 65_536 / Math.max(1, work)));
        job.set(q, v, startPos, scale, options, out, p0, stride, quads);
        try {
            pool.run(items, grain, job);
        } finally {
            job.clear();
        }
    }

    /** Copies positions {@code p0 ... p1} of every KV head of K into {@link #kT}, zeros past p1. */
    private void transpose(Tensor k, int hkv, int d, int p0, int p1, int stride) {
        int size = hkv * d * stride;
        if (kT.length < size) {
            kT = new float[size];
        }
        float[] t = kT;
        MemorySegment km = k.segment();
        boolean f16 = k.dtype() == DType.F16;
        long base = k.byteOffset();
        for (int p = p0; p <= p1; p++) {
            for (int g = 0; g < hkv; g++) {
                long row = base + (f16 ? 2L : 4L) * ((long) p * hkv + g) * d;
                int to = g * d * stride + p - p0;
                for (int i = 0; i < d; i++) {
                    t[to + i * stride] = f16 ? Float.float16ToFloat(km.get(ValueLayout.JAVA_SHORT_UNALIGNED, row + 2L * i))
                            : km.get(ValueLayout.JAVA_FLOAT_UNALIGNED, row + 4L * i);
                }
            }
        }
        for (int r = 0; r < hkv * d; r++) {
            Arrays.fill(t, r * stride + p1 - p0 + 1, (r + 1) * stride, 0f);
        }
    }

    /** The work of one call, reused from call to call (no lambda per layer). */
    private final class Job implements ParallelFor.Body {
        private Tensor q;
        private Tensor v;
        private Tensor out;
        private Attention options;
        private int startPos;
        private float scale;
        private int p0;
        private int stride;
        private int quads;

        void set(Tensor q, Tensor v, int startPos, float scale, Attention options, Tensor out, int p0, int stride, int quads) {
            this.q = q;
            this.v = v;
            this.startPos = startPos;
            this.scale = scale;
            this.options = options;
            this.out = out;
            this.p0 = p0;
            this.stride = stride;
            this.quads = quads;
        }

        void clear() {
            set(null, null, 0, 0, null, null, 0, 0, 0);
        }

        @Override
        public void run(int start, int end) {
            int tokens = (int) q.size(0);
            int hq = (int) q.size(1);
            int d = (int) q.size(2);
            int hkv = (int) v.size(1);
            int group = hq / hkv;
            Scratch s = scratch.get();
            s.size(d);
            Tensor sinks = options.sinks();
            for (int item = start; item < end; item++) { // KV head outermost: a thread's items share its K and V
                int g = item / (tokens * quads);
                int t = item % (tokens * quads) / quads;
                int h0 = g * group + item % quads * HEADS;
                int count = Math.min(HEADS, g * group + group - h0);
                for (int i = 0; i < HEADS; i++) {
                    int h = h0 + Math.min(i, count - 1);
                    MemorySegment.copy(q.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, q.byteOffset() + 4L * ((long) t * hq + h) * d,
                            s.queries, i * d, d);
                }
                int first = options.firstVisible(startPos + t);
                int last = options.lastVisible(startPos + t, startPos + tokens - 1);
                heads(s, kT, g * d * stride + first - p0, stride, v, g, hkv, d, first, last, scale, options.softCap());
                for (int i = 0; i < count; i++) {
                    float sink = sinks == null ? Float.NEGATIVE_INFINITY
                            : sinks.segment().get(ValueLayout.JAVA_FLOAT_UNALIGNED, sinks.byteOffset() + 4L * (h0 + i));
                    finish(s, i, d, sink, out.segment(), out.byteOffset() + 4L * ((long) t * hq + h0 + i) * d);
                }
            }
        }
    }

    /**
     * The online softmax of the four query rows in {@code s.queries} over positions {@code first ... last} of KV head
     * {@code g}; leaves each head's accumulator, maximum and sum in the scratch.
     */
    private static void heads(Scratch s, float[] kT, int kFirst, int stride, Tensor v, int g, int hkv, int d, int first,
            int last, float scale, float cap) {
        float[] acc = s.acc;
        float[] qs = s.queries;
        float[] p = s.probabilities;
        Arrays.fill(acc, 0, HEADS * d, 0f);
        Arrays.fill(s.max, Float.NEGATIVE_INFINITY);
        Arrays.fill(s.sum, 0f);
        boolean f16 = v.dtype() == DType.F16;
        long rowBytes = (f16 ? 2L : 4L) * d;
        long vBase = v.byteOffset() + rowBytes * g;
        long vStride = rowBytes * hkv;
        MemorySegment vm = v.segment();
        for (int j0 = first; j0 <= last; j0 += TILE) {
            int n = Math.min(TILE, last + 1 - j0);
            scores(qs, kT, kFirst + j0 - first, stride, d, p);
            VectorMask<Float> valid = F.indexInRange(0, n);
            for (int i = 0; i < HEADS; i++) {
                FloatVector sc = FloatVector.fromArray(F, p, i * TILE).mul(scale);
                if (cap != 0) {
                    sc = VectorMath.tanh(sc.div(cap)).mul(cap);
                }
                sc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).blend(sc, valid);
                float m = s.max[i];
                float mNew = Math.max(m, sc.reduceLanes(VectorOperators.MAX));
                // 0 on the first tile, where m = -inf; exactly 1 when the maximum stays, without the cost of a call
                float c = m == mNew ? 1f : (float) Math.exp(m - mNew);
                if (c != 1f) {
                    FloatVector cv = FloatVector.broadcast(F, c);
                    for (int e = i * d; e < (i + 1) * d; e += TILE) {
                        FloatVector.fromArray(F, acc, e).mul(cv).intoArray(acc, e);
                    }
                }
                FloatVector e = FloatVector.zero(F).blend(VectorMath.exp(sc.sub(mNew)), valid);
                e.intoArray(p, i * TILE);
                s.sum[i] = s.sum[i] * c + e.reduceLanes(VectorOperators.ADD);
                s.max[i] = mNew;
            }
            long vo = vBase + vStride * j0;
            for (int e = 0; e < d; e += TILE) {
                values(p, vm, vo + (f16 ? 2L : 4L) * e, vStride, n, f16, acc, e, d);
            }
        }
    }

    /** {@code p[i TILE + j] = sum_e qs[i d + e] kT[at + e stride + j]} for the four heads and a tile of positions. */
    private static void scores(float[] qs, float[] kT, int at, int stride, int d, float[] p) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (int e = 0; e < d; e++) {
            FloatVector kv = FloatVector.fromArray(F, kT, at + e * stride);
            s0 = FloatVector.broadcast(F, qs[e]).fma(kv, s0);
            s1 = FloatVector.broadcast(F, qs[d + e]).fma(kv, s1);
            s2 = FloatVector.broadcast(F, qs[2 * d + e]).fma(kv, s2);
            s3 = FloatVector.broadcast(F, qs[3 * d + e]).fma(kv, s3);
        }
        s0.intoArray(p, 0);
        s1.intoArray(p, TILE);
        s2.intoArray(p, 2 * TILE);
        s3.intoArray(p, 3 * TILE);
    }

    /**
     * {@code acc[i d + e ...] += sum_j p[i TILE + j] v_j[e ...]} for one vector of the head dimension, the n positions
     * of a tile starting at byte {@code vo} ({@code vStride} bytes apart) and the four heads.
     */
    private static void values(float[] p, MemorySegment vm, long vo, long vStride, int n, boolean f16, float[] acc, int e, int d) {
        FloatVector a0 = FloatVector.fromArray(F, acc, e);
        FloatVector a1 = FloatVector.fromArray(F, acc, d + e);
        FloatVector a2 = FloatVector.fromArray(F, acc, 2 * d + e);
        FloatVector a3 = FloatVector.fromArray(F, acc, 3 * d + e);
        for (int j = 0; j < n; j++) {
            long at = vo + vStride * j;
            FloatVector vv = f16 ? VectorMath.loadF16(vm, at) : FloatVector.fromMemorySegment(F, vm, at, ORDER);
            a0 = FloatVector.broadcast(F, p[j]).fma(vv, a0);
            a1 = FloatVector.broadcast(F, p[TILE + j]).fma(vv, a1);
            a2 = FloatVector.broadcast(F, p[2 * TILE + j]).fma(vv, a2);
            a3 = FloatVector.broadcast(F, p[3 * TILE + j]).fma(vv, a3);
        }
        a0.intoArray(acc, e);
        a1.intoArray(acc, d + e);
        a2.intoArray(acc, 2 * d + e);
        a3.intoArray(acc, 3 * d + e);
    }

    /** The sink step of head {@code i} ({@link FlashAttention}'s) and its output row at byte {@code oo}. */
    private static void finish(Scratch s, int i, int d, float sink, MemorySegment om, long oo) {
        float m = s.max[i];
        float mSink = Math.max(m, sink);
        float c = (float) Math.exp(m - mSink);
        float inv = c / (c * s.sum[i] + (float) Math.exp(sink - mSink));
        for (int e = 0; e < d; e += TILE) {
            FloatVector.fromArray(F, s.acc, i * d + e).mul(inv).intoMemorySegment(om, oo + 4L * e, ORDER);
        }
    }
}
