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

    /** The floats of work space {@link #attention} needs. */
    static int workSize(Tensor q, int startPos) {
        return startPos + (int) q.size(0) + 2 * (int) q.size(2);
    }

    /**
     * See {@link dev.panamax.tensor.Ops#attention}; arguments already validated. {@code work} holds at least
     * {@link #workSize} floats: the scores of the visible positions, then the query row and the output sums.
     */
    static void attention(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out, float[] work) {
        int tokens = (int) q.size(0);
        int hq = (int) q.size(1);
        int d = (int) q.size(2);
        int hkv = (int) k.size(1);
        int group = hq / hkv;
        boolean f16 = k.dtype() == DType.F16;
        float cap = options.softCap();
        Tensor sinks = options.sinks();
        MemorySegment qm = q.segment(), km = k.segment(), vm = v.segment(), om = out.segment();
        long kBase = k.byteOffset(), vBase = v.byteOffset();
        int qv = startPos + tokens; // the query row in work, then the sums
        int acc = qv + d;
        for (int t = 0; t < tokens; t++) {
            int first = options.firstVisible(startPos + t);
            int last = options.lastVisible(startPos + t, startPos + tokens - 1);
            for (int h = 0; h < hq; h++) {
                int g = h / group;
                MemorySegment.copy(qm, F32, q.byteOffset() + 4L * ((long) t * hq + h) * d, work, qv, d);
                for (int j = first; j <= last; j++) {
                    long ko = ((long) j * hkv + g) * d;
                    float dot = 0;
                    if (f16) {
                        for (int i = 0; i < d; i++) {
                            dot += work[qv + i] * Float.float16ToFloat(km.get(F16, kBase + 2 * (ko + i)));
                        }
                    } else {
                        for (int i = 0; i < d; i++) {
                            dot += work[qv + i] * km.get(F32, kBase + 4 * (ko + i));
                        }
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
                    long vo = ((long) j * hkv + g) * d;
                    if (f16) {
                        for (int i = 0; i < d; i++) {
                            work[acc + i] += p * Float.float16ToFloat(vm.get(F16, vBase + 2 * (vo + i)));
                        }
                    } else {
                        for (int i = 0; i < d; i++) {
                            work[acc + i] += p * vm.get(F32, vBase + 4 * (vo + i));
                        }
                    }
                }
                long oo = out.byteOffset() + 4L * ((long) t * hq + h) * d;
                for (int i = 0; i < d; i++) {
                    om.set(F32, oo + 4L * i, work[acc + i] / sum);
                }
            }
        }
    }
}
