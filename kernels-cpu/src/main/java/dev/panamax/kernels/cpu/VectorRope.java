package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.VectorMath.F;
import static dev.panamax.kernels.cpu.VectorMath.ORDER;

import dev.panamax.tensor.Rope;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Vector RoPE. The cosines and sines of one position are computed once (in double, as the
 * reference does) and reused for every head; the rotation uses separate multiplies and a subtract
 * or add, exactly the reference's float arithmetic, so results are bitwise equal to it.
 */
final class VectorRope {
    private static final int L = F.length();
    /** Swaps the lanes of each adjacent pair: (x0, x1, x2, x3, ...) -> (x1, x0, x3, x2, ...). */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);

    private VectorRope() {
    }

    /** Per-thread tables for one position: cos and sin per pair (NEOX) or per entry with signs (INTERLEAVED). */
    static final class Tables {
        float[] cos = new float[0];
        float[] sin = new float[0];

        void fill(Rope rope, int pos) {
            int dims = rope.dims();
            if (cos.length < dims) {
                cos = new float[dims];
                sin = new float[dims];
            }
            boolean interleaved = rope.layout() == Rope.Layout.INTERLEAVED;
            for (int i = 0; i < dims / 2; i++) {
                double angle = pos * (double) rope.inverseFrequency(i);
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                if (interleaved) { // out = x * cos + swap(x) * sin with sin = (-s, s)
                    cos[2 * i] = c;
                    cos[2 * i + 1] = c;
                    sin[2 * i] = -s;
                    sin[2 * i + 1] = s;
                } else {
                    cos[i] = c;
                    sin[i] = s;
                }
            }
        }
    }

    /** One head of {@code d} entries, with {@code tables} filled for its position. */
    static void head(MemorySegment x, long xo, Rope rope, Tables tables, MemorySegment out, long oo, int d) {
        int dims = rope.dims();
        float[] cos = tables.cos;
        float[] sin = tables.sin;
        if (rope.layout() == Rope.Layout.INTERLEAVED) {
            int i = 0;
            for (; L % 2 == 0 && i <= dims - L; i += L) {
                FloatVector v = VectorKernels.load(x, xo, i);
                FloatVector c = FloatVector.fromArray(F, cos, i);
                FloatVector s = FloatVector.fromArray(F, sin, i);
                v.mul(c).add(v.rearrange(SWAP_PAIRS).mul(s)).intoMemorySegment(out, oo + 4L * i, ORDER);
            }
            for (; i < dims; i += 2) {
                float x0 = ScalarKernels.get(x, xo, i);
                float x1 = ScalarKernels.get(x, xo, i + 1);
                ScalarKernels.set(out, oo, i, x0 * cos[i] - x1 * sin[i + 1]);
                ScalarKernels.set(out, oo, i + 1, x0 * sin[i + 1] + x1 * cos[i]);
            }
        } else {
            int half = dims / 2;
            int i = 0;
            for (; i <= half - L; i += L) {
                FloatVector x0 = VectorKernels.load(x, xo, i);
                FloatVector x1 = VectorKernels.load(x, xo, i + half);
                FloatVector c = FloatVector.fromArray(F, cos, i);
                FloatVector s = FloatVector.fromArray(F, sin, i);
                x0.mul(c).sub(x1.mul(s)).intoMemorySegment(out, oo + 4L * i, ORDER);
                x0.mul(s).add(x1.mul(c)).intoMemorySegment(out, oo + 4L * (i + half), ORDER);
            }
            for (; i < half; i++) {
                float x0 = ScalarKernels.get(x, xo, i);
                float x1 = ScalarKernels.get(x, xo, i + half);
                ScalarKernels.set(out, oo, i, x0 * cos[i] - x1 * sin[i]);
                ScalarKernels.set(out, oo, i + half, x0 * sin[i] + x1 * cos[i]);
            }
        }
        if (out != x || oo != xo) {
            MemorySegment.copy(x, xo + 4L * dims, out, oo + 4L * dims, 4L * (d - dims));
        }
    }
}
