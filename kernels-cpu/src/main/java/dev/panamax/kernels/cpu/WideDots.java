package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector dots for 512-bit vectors (AVX-512): Q8_0, Q4_0, Q4_K and Q6_K weights, read in place,
 * meet the float activations directly. Sixteen weight bytes widen to sixteen int lanes and convert
 * to float in two instructions, so on 512-bit hardware this beats the 16-bit integer products of
 * {@link VectorDots} (which stay the path for narrower vectors). Each kernel keeps two
 * accumulators so consecutive blocks do not wait on one FMA chain.
 */
final class WideDots {
    /**
     * True where the preferred vectors are at least 512 bits wide: only then are these kernels used.
     * {@code -Dpanamax.cpu.narrow=true} turns them off, to test the narrow path on wide hardware.
     */
    static final boolean AVAILABLE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 && !Boolean.getBoolean("panamax.cpu.narrow");

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_512;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** Shifts that bring byte j of a long to the bottom of lane j. */
    private static final LongVector BYTE_SHIFTS = LongVector.fromArray(L, new long[] {0, 8, 16, 24, 32, 40, 48, 56}, 0);

    private WideDots() {
    }

    /** Sixteen bytes at {@code o}, sign-extended to int lanes. */
    private static IntVector bytes(MemorySegment w, long o) {
        return (IntVector) ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Q8_0 weights (f16 d; i8 qs[32]) with {@code x[xo ...]}, per block {@code d * (q . x)}. */
    static float dotQ8_0(MemorySegment w, long at, float[] x, int xo, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            a0 = q8Block(w, at + 34L * b, x, xo + 32 * b, a0);
            a1 = q8Block(w, at + 34L * b + 34, x, xo + 32 * b + 32, a1);
        }
        if (b < blocks) {
            a0 = q8Block(w, at + 34L * b, x, xo + 32 * b, a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector q8Block(MemorySegment w, long o, float[] x, int xi, FloatVector acc) {
        FloatVector p = toFloat(bytes(w, o + 2)).mul(FloatVector.fromArray(F, x, xi))
                .add(toFloat(bytes(w, o + 18)).mul(FloatVector.fromArray(F, x, xi + 16)));
        return p.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o))), acc);
    }

    /** Q4_0 weights (f16 d; u8 qs[16], low nibbles first) with {@code x[xo ...]}: values {@code q - 8}. */
    static float dotQ4_0(MemorySegment w, long at, float[] x, int xo, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            a0 = q4Block(w, at + 18L * b, x, xo + 32 * b, a0);
            a1 = q4Block(w, at + 18L * b + 18, x, xo + 32 * b + 32, a1);
        }
        if (b < blocks) {
            a0 = q4Block(w, at + 18L * b, x, xo + 32 * b, a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector q4Block(MemorySegment w, long o, float[] x, int xi, FloatVector acc) {
        IntVector q = bytes(w, o + 2);
        FloatVector lo = toFloat(q.and(0x0F).sub(8));
        FloatVector hi = toFloat(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8));
        FloatVector p = hi.fma(FloatVector.fromArray(F, x, xi + 16), lo.mul(FloatVector.fromArray(F, x, xi)));
        return p.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o))), acc);
    }

    /**
     * Q4_K weights (f16 d, dmin; 12 bytes of scales; u8 qs[128]) with {@code x[xo ...]}:
     * {@code sum_j scales[j] (q_j . x_j) - mins[j] sum(x_j)} over the 32-value sub-blocks j, with
     * the scales from {@link #kScales} and the sub-block sums of x in {@code xsums[xo / 32 ...]}.
     * (Unpacking the scales inside this loop instead measured 15% slower.)
     */
    static float dotQ4_K(MemorySegment w, long at, float[] scales, float[] mins, float[] x, float[] xsums, int xo,
            int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        // one flat loop over 64-value chunks (4 per block): 32 bytes, low nibbles sub-block j, high j + 1
        for (int chunk = 0; chunk < 4 * blocks; chunk++) {
            long o = at + 144L * (chunk >>> 2) + 16 + 32 * (chunk & 3);
            int xc = xo + 64 * chunk, j = 2 * chunk;
            a0 = lowNibbles(w, o, x, xc, a0, scales[j]);
            a1 = highNibbles(w, o, x, xc + 32, a1, scales[j + 1]);
        }
        // the mins term as one dot afterwards: a scalar sum in the loop is a latency chain
        return a0.add(a1).reduceLanes(VectorOperators.ADD) - VectorDots.dot(mins, 0, xsums, xo / 32, 8 * blocks);
    }

    /** {@code acc + scale * (q . x[xi ...])} for the 32 low nibbles q of the 32 bytes at {@code o}. */
    private static FloatVector lowNibbles(MemorySegment w, long o, float[] x, int xi, FloatVector acc, float scale) {
        FloatVector p = toFloat(bytes(w, o + 16).and(0x0F)).fma(FloatVector.fromArray(F, x, xi + 16),
                toFloat(bytes(w, o).and(0x0F)).mul(FloatVector.fromArray(F, x, xi)));
        return p.fma(FloatVector.broadcast(F, scale), acc);
    }

    /** As {@link #lowNibbles} for the high nibbles. */
    private static FloatVector highNibbles(MemorySegment w, long o, float[] x, int xi, FloatVector acc, float scale) {
        FloatVector p = toFloat(bytes(w, o + 16).lanewise(VectorOperators.ASHR, 4).and(0x0F)).fma(FloatVector.fromArray(F, x, xi + 16),
                toFloat(bytes(w, o).lanewise(VectorOperators.ASHR, 4).and(0x0F)).mul(FloatVector.fromArray(F, x, xi)));
        return p.fma(FloatVector.broadcast(F, scale), acc);
    }

    /**
     * Q6_K weights (u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d) with {@code x[xo ...]}, the group
     * scales {@code d * sc_g} from {@link VectorDots#q6KScales}. Each step reads the 16 bytes of qh
     * and the two 16-byte runs of ql that share them, and rebuilds four 16-value groups: value
     * {@code 128h + 32j + 16half + l} takes nibble {@code j / 2} of {@code ql[64h + 32(j & 1) + 16half + l]}
     * and bits {@code 2j, 2j + 1} of {@code qh[32h + 16half + l]} as its high bits; q - 32 is in [-32, 31].
     * Bytes are zero-extended, so a right shift needs no mask.
     */
    static float dotQ6_K(MemorySegment w, long at, float[] scales, float[] x, int xo, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int step = 0; step < 4 * blocks; step++) { // step = (block, h, half)
            int b = step >>> 2, h = (step >>> 1) & 1, half = step & 1;
            long o = at + 210L * b + 64 * h + 16 * half;
            IntVector low0 = unsignedBytes(w, o), low1 = unsignedBytes(w, o + 32);
            IntVector high = unsignedBytes(w, at + 210L * b + 128 + 32 * h + 16 * half);
            int xi = xo + 256 * b + 128 * h + 16 * half, g = 16 * b + 8 * h + half;
            FloatVector q0 = toFloat(low0.and(0x0F).or(high.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32));
            FloatVector q1 = toFloat(low1.and(0x0F).or(high.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32));
            FloatVector q2 = toFloat(low0.lanewise(VectorOperators.LSHR, 4).or(high.and(0x30)).sub(32));
            FloatVector q3 = toFloat(low1.lanewise(VectorOperators.LSHR, 4).or(high.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32));
            a0 = q0.mul(scales[g]).fma(FloatVector.fromArray(F, x, xi), a0);
            a1 = q1.mul(scales[g + 2]).fma(FloatVector.fromArray(F, x, xi + 32), a1);
            a0 = q2.mul(scales[g + 4]).fma(FloatVector.fromArray(F, x, xi + 64), a0);
            a1 = q3.mul(scales[g + 6]).fma(FloatVector.fromArray(F, x, xi + 96), a1);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /** Sixteen bytes at {@code o}, zero-extended to int lanes. */
    private static IntVector unsignedBytes(MemorySegment w, long o) {
        return (IntVector) ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /**
     * As {@link VectorDots#kScales}, eight sub-blocks per vector: the packed 6-bit values
     * ({@link VectorDots#kPacked}) are spread over 64-bit lanes, cut and converted at once, where
     * the scalar unpacking cost as much as the dot itself.
     */
    static void kScales(MemorySegment w, long at, int blocks, int blockBytes, float[] scales, float[] mins) {
        for (int b = 0; b < blocks; b++) {
            long o = at + (long) blockBytes * b;
            float d = Float.float16ToFloat(w.get(I16, o));
            float dmin = Float.float16ToFloat(w.get(I16, o + 2));
            int sc = w.get(I32, o + 4), mn = w.get(I32, o + 8), high = w.get(I32, o + 12);
            unpack(VectorDots.kPacked(sc, high), d, scales, 8 * b);
            unpack(VectorDots.kPacked(mn, high >>> 4), dmin, mins, 8 * b);
        }
    }

    private static void unpack(long packed, float scale, float[] dst, int at) {
        LongVector v = LongVector.broadcast(L, packed).lanewise(VectorOperators.LSHR, BYTE_SHIFTS).and(63L);
        ((FloatVector) v.convertShape(VectorOperators.L2F, FloatVector.SPECIES_256, 0)).mul(scale).intoArray(dst, at);
    }

    /** {@code sums[i] = sum of x[32 i ... 32 i + 31]} for the {@code n / 32} blocks of {@code x[0 .. n)}. */
    static void blockSums(float[] x, int n, float[] sums) {
        for (int i = 0; i < n / 32; i++) {
            sums[i] = FloatVector.fromArray(F, x, 32 * i).add(FloatVector.fromArray(F, x, 32 * i + 16)).reduceLanes(VectorOperators.ADD);
        }
    }
}
