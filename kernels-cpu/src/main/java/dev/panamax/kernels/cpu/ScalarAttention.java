package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reference attention: for every query and head, a row of scores over the visible positions (causal or both ways) (soft-capped if
 * asked), a two-pass softmax over it (the sink, if any, joining the maximum and the sum), and the weighted sum of
 * the values. Straightforward on purpose: it is the oracle for {@link FlashAttention}.
 */
final class ScalarAttention {
    private ScalarAttention() {
    }

    /** See {@link dev.panamax.tensor.Ops#attention}; arguments already validated. */
    static void attention(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out) {
        attention(q, k, v, startPos, scale, options, out, new float[startPos + (int) q.size(0)]);
    }

    /** As above, with the scores in {@code att} (at least {@code startPos + tokens} long): no allocation. */
    static void attention(Tensor q, Tensor k, Tensor v, int startPos, float scale, Attention options, Tensor out, float[] att) {
        int tokens = (int) q.size(0);
        int hq = (int) q.size(1);
        int d = (int) q.size(2);
        int hkv = (int) k.size(1);
        int group = hq / hkv;
        boolean f16 = k.dtype() == DType.F16;
        float cap = options.softCap();
        Tensor sinks = options.sinks();
        MemorySegment qm = q.segment();
        MemorySegment km = k.segment();
        MemorySegment vm = v.segment();
        MemorySegment om = out.segment();
        for (int t = 0; t < tokens; t++) {
            int first = options.firstVisible(startPos + t); // within the window, if any
            int last = options.lastVisible(startPos + t, startPos + tokens - 1); // itself (causal) or the call's last
            for (int h = 0; h < hq; h++) {
                int g = h / group;
                long qo = q.byteOffset() + 4L * ((long) t * hq + h) * d;
                for (int j = first; j <= last; j++) {
                    long ko = ((long) j * hkv + g) * d;
                    float dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += qm.get(ValueLayout.JAVA_FLOAT_UNALIGNED, qo + 4L * i) * load(km, k.byteOffset(), ko + i, f16);
                    }
                    float s = scale * dot;
                    att[j] = cap == 0 ? s : ScalarKernels.softcap(s, cap);
                }
                float sink = sinks == null ? Float.NEGATIVE_INFINITY : ScalarKernels.get(sinks.segment(), sinks.byteOffset(), h);
                float max = sink;
                for (int j = first; j <= last; j++) {
                    max = Math.max(max, att[j]);
                }
                float sum = sinks == null ? 0 : (float) Math.exp(sink - max);
                for (int j = first; j <= last; j++) {
                    att[j] = (float) Math.exp(att[j] - max);
                    sum += att[j];
                }
                long oo = out.byteOffset() + 4L * ((long) t * hq + h) * d;
                for (int i = 0; i < d; i++) {
                    float acc = 0;
                    for (int j = first; j <= last; j++) {
                        acc += att[j] * load(vm, v.byteOffset(), ((long) j * hkv + g) * d + i, f16);
                    }
                    om.set(ValueLayout.JAVA_FLOAT_UNALIGNED, oo + 4L * i, acc / sum);
                }
            }
        }
    }

    private static float load(MemorySegment m, long base, long element, boolean f16) {
        return f16 ? Float.float16ToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2 * element))
                : m.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + 4 * element);
    }
}
