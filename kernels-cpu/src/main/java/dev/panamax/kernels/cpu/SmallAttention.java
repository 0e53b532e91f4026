package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@code cpu} backend's attention for small calls ({@link SmallShapes#attentionWork()}, e.g. every decode step
 * of stories260K): scalar code on the caller's thread, computing exactly what {@link ScalarAttention} computes, in
 * the same order of operations (so bit for bit the same), with its loops arranged for speed: the query row is
 * read once into an array, and the weighted sum of the values walks each value row once, front to back, adding
 * into {@code d} sums, where the oracle walks the cache once per output element, a row stride apart. On
 * stories260K's decode this was the largest part of a token once C2 had compiled both (docs/benchmarks.md).
 */
final class SmallAttention {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private SmallAttention() {
    }

    /** The floats of work space {@link #attention} needs: scores, query row, sums, then the visible K and V rows. */
    static int workSize(Tensor q, Tensor k, int startPos, Attention options) {
        return startPos + (int) q.size(0) + 2 * (int) q.size(2) + 2 * cacheFloats(q, k, startPos, options);
    }

    /** The shorts of staging space {@link #attention} needs for an F16 cache (0 for F32). */
    static int stagingSize(Tensor q, Tensor k, int startPos, Attention options) {
        return k.dtype() == DType.F16 ? cacheFloats(q, k, startPos, options) : 0;
    }

    /** The elements of K (and of V) in the rows some query of the call sees. */
    private static int cacheFloats(Tensor q, Tensor k, int startPos, Attention options) {
        int rows = startPos + (int) q.size(0) - options.firstVisible(startPos);
        return rows * (int) k.size(1) * (int) k.size(2);
    }

    /**
     * See {@link dev.panamax.tensor.Ops#attention}; arguments already validated. {@code work} holds at least
     * {@link #workSize} floats, {@code staging} at least {@link #stagingSize} shorts. The K and V rows that any query
     * of the call sees are first read into {@code work} as floats in one bulk copy each (an F16 cache through
     * {@code staging}, converted once): the loops then read arrays, where reading the cache element by element through
     * the segment (a bounds and liveness check and, for F16, a conversion per element, each K and V element once per
     * query head of its group) was most of a stories260K token. The conversions are exact, so the arithmetic is
     * still the oracle's.
     */
    static void attention(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out, float[] work,
            short[] staging) {
        int tokens = (int) q.size(0);
        int hq = (int) q.size(1);
        int d = (int) q.size(2);
        int hkv = (int) k.size(1);
        int group = hq / hkv;
        float cap = options.softCap();
        Tensor sinks = options.sinks();
        MemorySegment qm = q.segment(), om = out.segment();
        int qv = startPos + tokens; // the query row in work, then the sums
        int acc = qv + d;
        int from = options.firstVisible(startPos); // the first row any query sees: firstVisible grows with the position
        int floats = cacheFloats(q, k, startPos, options);
        int kw = acc + d, vw = kw + floats; // work index of row `from`'s K and V; row j, head g at ((j - from) hkv + g) d
        load(k, from, floats, work, kw, staging);
        load(v, from, floats, work, vw, staging);
        for (int t = 0; t < tokens; t++) {
            int first = options.firstVisible(startPos + t);
            int last = options.lastVisible(startPos + t, startPos + tokens - 1);
            for (int h = 0; h < hq; h++) {
                int g = h / group;
                MemorySegment.copy(qm, F32, q.byteOffset() + 4L * ((long) t * hq + h) * d, work, qv, d);
                for (int j = first; j <= last; j++) {
                    int ko = kw + ((j - from) * hkv + g) * d;
                    float dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += work[qv + i] * work[ko + i];
                    }
                    float s = scale * dot;
                    work[j] = cap == 0 ? s : ScalarKernels.softcap(s, cap);
                }
                float sink = sinks == null ? Float.NEGATIVE_INFINITY : ScalarKernels.get(sinks.segment(), sinks.byteOffset(), h);
                float max = sink;
                for (int j = first; j <= last; j++) {
                    max = Math.max(max, work[j]);
                }
                float sum = sinks == null ? 0 : (float) Math.exp(sink - max);
                for (int j = first; j <= last; j++) {
                    work[j] = (float) Math.exp(work[j] - max);
                    sum += work[j];
                }
                for (int i = 0; i < d; i++) {
                    work[acc + i] = 0;
                }
                for (int j = first; j <= last; j++) { // each sum still adds its terms in the order of j, as the oracle's
                    float p = work[j];
                    int vo = vw + ((j - from) * hkv + g) * d;
                    for (int i = 0; i < d; i++) {
                        work[acc + i] += p * work[vo + i];
                    }
                }
                long oo = out.byteOffset() + 4L * ((long) t * hq + h) * d;
                for (int i = 0; i < d; i++) {
                    work[acc + i] /= sum;
                }
                MemorySegment.copy(work, acc, om, F32, oo, d);
            }
        }
    }

    /** Reads {@code n} elements of {@code cache} from row {@code from} on into {@code work[at..]} as floats. */
    private static void load(Tensor cache, int from, int n, float[] work, int at, short[] staging) {
        long offset = cache.byteOffset() + cache.dtype().byteSize((long) from * cache.size(1) * cache.size(2));
        if (cache.dtype() == DType.F16) {
            MemorySegment.copy(cache.segment(), F16, offset, staging, 0, n);
            for (int i = 0; i < n; i++) {
                work[at + i] = Float.float16ToFloat(staging[i]);
            }
        } else {
            MemorySegment.copy(cache.segment(), F32, offset, work, at, n);
        }
    }
}
