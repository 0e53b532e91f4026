package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 matrix-vector dots of {@value #ROWS} weight rows in one pass. A decode matvec of F32 weights does one FMA
 * per 4 bytes read, so it is bound by how fast one core pulls the weights from memory, and that depends on how
 * many cache-line misses are in flight at once: Java has no software prefetch, and one row read front to back
 * is one stream for the hardware prefetchers to follow. Reading {@value #ROWS} rows side by side keeps
 * {@value #ROWS} streams going (and loads each vector of x once for all of them).
 *
 * <p>Each row is summed in exactly the order of {@link #dotF32} (one vector accumulator, its lanes summed by {@link VectorMath#sum},
 * then the scalar tail), so a row's result does not depend on whether it fell in a group or was left over
 * (which depends on how rows are split among threads).
 */
final class RowGroupDots {
    /** Rows per step. */
    static final int ROWS = 4;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private RowGroupDots() {
    }

    /** F32 weights at byte {@code at} of {@code w} with {@code x[xo ...]}, in the order of {@link #dotF32x4}. */
    static float dotF32(MemorySegment w, long at, float[] x, int xo, int n) {
        FloatVector a = FloatVector.zero(F);
        int lanes = F.length(), i = xo;
        for (long o = at, end = at + 4L * (n - n % lanes); o < end; o += 4L * lanes, i += lanes) {
            a = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, i), a);
        }
        float sum = VectorMath.sum(a);
        for (int j = n - n % lanes; j < n; j++) {
            sum += w.get(F32, at + 4L * j) * x[xo + j];
        }
        return sum;
    }

    /**
     * The dots of rows {@code at + r stride} ({@code r < 4}) with {@code x[xo ...]}, written to {@code out} as
     * floats at {@code outAt + 4 r}.
     */
    static void dotF32x4(MemorySegment w, long at, long stride, float[] x, int xo, int n, MemorySegment out, long outAt) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int lanes = F.length(), i = xo;
        // the loop counts the byte offset (a long) rather than the element (an int, scaled per access): measured
        // 1.5-2x faster in CPU time on Zen 4 for the same loads and FMAs
        for (long o = at, end = at + 4L * (n - n % lanes); o < end; o += 4L * lanes, i += lanes) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            a0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, w, o + stride, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, w, o + 2 * stride, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, w, o + 3 * stride, LE).fma(xv, a3);
        }
        // VectorMath.sum: a fixed order of lanes, the same interpreted and compiled (reduceLanes' is not)
        float s0 = VectorMath.sum(a0), s1 = VectorMath.sum(a1), s2 = VectorMath.sum(a2), s3 = VectorMath.sum(a3);
        for (int j = n - n % lanes; j < n; j++) {
            long o = at + 4L * j;
            float xj = x[xo + j];
            s0 += w.get(F32, o) * xj;
            s1 += w.get(F32, o + stride) * xj;
            s2 += w.get(F32, o + 2 * stride) * xj;
            s3 += w.get(F32, o + 3 * stride) * xj;
        }
        out.set(F32, outAt, s0);
        out.set(F32, outAt + 4, s1);
        out.set(F32, outAt + 8, s2);
        out.set(F32, outAt + 12, s3);
    }
}
