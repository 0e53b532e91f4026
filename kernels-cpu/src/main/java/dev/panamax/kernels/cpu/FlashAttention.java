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
 * Grouped-query attention (causal or bidirectional) with an online softmax (the flash-attention recurrence), one
 * (query position, head) pair per work item.
 *
 * <p>Each pair walks its visible positions (the last {@code window} ones, or all) in tiles of {@link #TILE}:
 * scores of the tile (soft-capped if asked), then the running maximum {@code m}, running sum {@code l} and
 * accumulator {@code acc} are updated as
 * <pre>
 *   m' = max(m, max_j s_j);  c = e^(m - m');  l = c l + sum_j e^(s_j - m');  acc = c acc + sum_j e^(s_j - m') v_j
 * </pre>
 * and finally the sink logit {@code σ} (−∞ without sinks, which changes nothing) joins as one more step with a
 * zero value: {@code m' = max(m, σ)}, {@code out = e^(m - m') acc / (e^(m - m') l + e^(σ - m'))}. No score matrix
 * exists; each thread owns a small scratch (one tile of scores and one head of accumulator), allocated once and
 * reused, and the work item is one reusable object, so a call allocates nothing once warm.
 */
final class FlashAttention {
    static final int TILE = 64;
    private static final int L = F.length();

    private final ParallelFor pool;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final Job job = new Job();
    /** Calls with many query rows (a prompt): the same recurrence without a horizontal sum per score. */
    private final BlockedAttention blocked;

    private static final class Scratch {
        final float[] scores = new float[TILE];
        final float[] lanes = new float[L];
        float[] acc = new float[0];

        float[] acc(int d) {
            if (acc.length < d) {
                acc = new float[d];
            }
            return acc;
        }
    }

    FlashAttention(ParallelFor pool) {
        this.pool = pool;
        this.blocked = new BlockedAttention(pool);
    }

    /** See {@link dev.panamax.tensor.Ops#attention}; arguments already validated. */
    void run(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out) {
        int tokens = (int) q.size(0);
        int hq = (int) q.size(1);
        int d = (int) q.size(2);
        if (BlockedAttention.takes(tokens, d, startPos + tokens, (int) k.size(1))) {
            blocked.run(q, k, v, startPos, scale, options, out);
        } else {
            perRow(q, k, v, startPos, scale, options, out);
        }
    }

    /** {@link #run} one (query row, head) pair per work item, whatever the call's shape. */
    void perRow(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out) {
        int tokens = (int) q.size(0);
        int hq = (int) q.size(1);
        int d = (int) q.size(2);
        int visible = options.window() == 0 ? startPos + tokens : Math.min(options.window(), startPos + tokens);
        long work = (long) visible * d; // rough cost of one item, in multiply-adds
        int grain = (int) Math.max(1, Math.min(hq, 16_384 / Math.max(1, work)));
        job.set(q, k, v, startPos, scale, options, out);
        try {
            pool.run(tokens * hq, grain, job);
        } finally {
            job.clear();
        }
    }

    /**
     * The work of one call, reused from call to call so that decoding allocates no lambda per layer and token (an
     * {@code Ops} is driven by one thread at a time, and {@link ParallelFor#run} returns when all items are done).
     */
    private final class Job implements ParallelFor.Body {
        private Tensor q;
        private Tensor k;
        private Tensor v;
        private Tensor out;
        private Attention options;
        private int startPos;
        private float scale;

        void set(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out) {
            this.q = q;
            this.k = k;
            this.v = v;
            this.startPos = startPos;
            this.scale = scale;
            this.options = options;
            this.out = out;
        }

        void clear() {
            set(null, null, null, 0, 0, null, null);
        }

        @Override
        public void run(int start, int end) {
            int tokens = (int) q.size(0);
            int hq = (int) q.size(1);
            int d = (int) q.size(2);
            int hkv = (int) k.size(1);
            int group = hq / hkv;
            boolean f16 = k.dtype() == DType.F16;
            float cap = options.softCap();
            Tensor sinks = options.sinks();
            Scratch s = scratch.get();
            float[] acc = s.acc(d);
            for (int item = start; item < end; item++) {
                int t = item / hq;
                int h = item % hq;
                int last = options.lastVisible(startPos + t, startPos + tokens - 1);
                float sink = sinks == null ? Float.NEGATIVE_INFINITY
                        : sinks.segment().get(ValueLayout.JAVA_FLOAT_UNALIGNED, sinks.byteOffset() + 4L * h);
                long qo = q.byteOffset() + 4L * item * d;
                long oo = out.byteOffset() + 4L * item * d;
                one(q.segment(), qo, k, v, h / group, hkv, d, options.firstVisible(startPos + t), last, scale, cap, sink, f16,
                        s.scores, s.lanes, acc, out.segment(), oo);
            }
        }
    }

    /** One query row against positions {@code first ... last} of KV head {@code g}. */
    private static void one(MemorySegment qm, long qo, Tensor k, Tensor v, int g, int hkv, int d, int first, int last,
            float scale, float cap, float sink, boolean f16, float[] scores, float[] lanes, float[] acc, MemorySegment om,
            long oo) {
        MemorySegment km = k.segment();
        MemorySegment vm = v.segment();
        long rowBytes = (f16 ? 2L : 4L) * d;
        long kBase = k.byteOffset() + rowBytes * g;
        long vBase = v.byteOffset() + rowBytes * g;
        long stride = rowBytes * hkv; // bytes from one position to the next
        Arrays.fill(acc, 0, d, 0f);
        float m = Float.NEGATIVE_INFINITY;
        float l = 0;
        for (int j0 = first; j0 <= last; j0 += TILE) {
            int n = Math.min(TILE, last + 1 - j0);
            float tileMax = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                float sc = scale * dot(qm, qo, km, kBase + stride * (j0 + j), d, f16);
                scores[j] = sc;
                tileMax = Math.max(tileMax, sc);
            }
            if (cap != 0) {
                tileMax = softcap(scores, n, cap);
            }
            float mNew = Math.max(m, tileMax);
            float c = (float) Math.exp(m - mNew); // 0 on the first tile, where m = -inf
            l *= c;
            if (c != 1f) {
                for (int i = 0; i < d; i++) {
                    acc[i] *= c;
                }
            }
            l += exponentiate(scores, n, mNew, lanes);
            for (int j = 0; j < n; j++) {
                axpy(scores[j], vm, vBase + stride * (j0 + j), acc, d, f16);
            }
            m = mNew;
        }
        // the sink: one more logit whose value is zero; without sinks (sink = -inf) c is 1 and l gains 0
        float mSink = Math.max(m, sink);
        float c = (float) Math.exp(m - mSink);
        float inv = c / (c * l + (float) Math.exp(sink - mSink));
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector.fromArray(F, acc, i).mul(inv).intoMemorySegment(om, oo + 4L * i, ORDER);
        }
        for (; i < d; i++) {
            om.set(ValueLayout.JAVA_FLOAT_UNALIGNED, oo + 4L * i, acc[i] * inv);
        }
    }

    /** {@code scores[j] = cap * tanh(scores[j] / cap)} for {@code j < n}; returns their maximum. */
    private static float softcap(float[] scores, int n, float cap) {
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector p = VectorMath.tanh(FloatVector.fromArray(F, scores, j).div(cap)).mul(cap);
            p.intoArray(scores, j);
            max = max.max(p);
        }
        if (j < n) {
            VectorMask<Float> mask = F.indexInRange(j, n);
            FloatVector p = VectorMath.tanh(FloatVector.fromArray(F, scores, j, mask).div(cap)).mul(cap);
            p.intoArray(scores, j, mask);
            max = max.lanewise(VectorOperators.MAX, p, mask);
        }
        return max.reduceLanes(VectorOperators.MAX);
    }

    /**
     * {@code scores[j] = e^(scores[j] - max)} for {@code j < n}; returns their sum. Its own small method so that C2
     * inlines the vector exp here even when the caller is past its inlining budget; the lanes of the sum go through
     * {@code lanes} (scratch of {@code F.length()}), since where this method is inlined into a big caller, a call to
     * {@link VectorMath#sum(FloatVector)} may not be, and its argument would then be allocated on every call.
     */
    private static float exponentiate(float[] scores, int n, float max, float[] lanes) {
        FloatVector sum = FloatVector.zero(F);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector p = VectorMath.exp(FloatVector.fromArray(F, scores, j).sub(max));
            p.intoArray(scores, j);
            sum = sum.add(p);
        }
        if (j < n) {
            VectorMask<Float> mask = F.indexInRange(j, n);
            FloatVector p = VectorMath.exp(FloatVector.fromArray(F, scores, j, mask).sub(max));
            p.intoArray(scores, j, mask);
            sum = sum.add(p, mask);
        }
        sum.intoArray(lanes, 0);
        return VectorMath.sumStored(lanes);
    }

    private static float dot(MemorySegment qm, long qo, MemorySegment km, long ko, int d, boolean f16) {
        FloatVector sum = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector kv = f16 ? VectorMath.loadF16(km, ko + 2L * i) : VectorKernels.load(km, ko, i);
            sum = VectorKernels.load(qm, qo, i).fma(kv, sum);
        }
        float r = VectorMath.sum(sum);
        for (; i < d; i++) {
            r += qm.get(ValueLayout.JAVA_FLOAT_UNALIGNED, qo + 4L * i) * load(km, ko, i, f16);
        }
        return r;
    }

    /** {@code acc += p * v}. */
    private static void axpy(float p, MemorySegment vm, long vo, float[] acc, int d, boolean f16) {
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector vv = f16 ? VectorMath.loadF16(vm, vo + 2L * i) : VectorKernels.load(vm, vo, i);
            vv.fma(FloatVector.broadcast(F, p), FloatVector.fromArray(F, acc, i)).intoArray(acc, i);
        }
        for (; i < d; i++) {
            acc[i] += p * load(vm, vo, i, f16);
        }
    }

    private static float load(MemorySegment m, long rowOffset, int i, boolean f16) {
        return f16 ? Float.float16ToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, rowOffset + 2L * i))
                : m.get(ValueLayout.JAVA_FLOAT_UNALIGNED, rowOffset + 4L * i);
    }
}
