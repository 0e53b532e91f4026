package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of one weight row, read in place, with one activation row: the inner kernels of the
 * matrix-vector path. Integer kernels multiply the weights' 8-bit integers with activations
 * quantized to 8 bits ({@link QuantizedActivations}) in 16-bit lanes, widen the block sums to
 * 32-bit lanes and scale them in float, block by block, as ggml's {@code vec_dot} does; on AVX2
 * this beats converting the weights to float (measured: 2.3x for Q4_0, 1.04x for Q8_0).
 */
final class VectorDots {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private VectorDots() {
    }

    /** {@code sum_i x[xo + i] * y[yo + i]} for {@code i < n}. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 16; i += 16) {
            a0 = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), a0);
            a1 = FloatVector.fromArray(F, x, xo + i + 8).fma(FloatVector.fromArray(F, y, yo + i + 8), a1);
        }
        float sum = VectorMath.sum(a0.add(a1));
        for (; i < n; i++) {
            sum += x[xo + i] * y[yo + i];
        }
        return sum;
    }

    /** BF16 weights: each is the high half of a float, so widening and shifting left by 16 converts exactly. */
    static float dotBF16(MemorySegment w, long at, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 8; i += 8) {
            IntVector bits = (IntVector) ShortVector.fromMemorySegment(S128, w, at + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector wf = bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a0 = wf.fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        float sum = VectorMath.sum(a0);
        for (; i < n; i++) {
            sum += Float.intBitsToFloat(w.get(I16, at + 2L * i) << 16) * x[xo + i];
        }
        return sum;
    }

    /**
     * Q8_0 weights (f16 d; i8 qs[32]) with Q8_0 activations: per block, 32 products of 8-bit values
     * in two 16-lane short vectors ({@code |product| <= 127 * 128}, a pair still fits 16 bits), then
     * widened and scaled by {@code d_w * d_x}.
     */
    static float dotQ8_0(MemorySegment w, long at, short[] xq, float[] xd, int xo, int blocks) {
        // two blocks per step into two accumulators: one FMA chain would bound the loop by its latency
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int xb = xo / 32;
        int b = 0;
        for (; b < (blocks & ~1); b += 2) {
            long o = at + 34L * b;
            int xi = xo + 32 * b;
            ShortVector p0 = signedShorts(w, o + 2).mul(ShortVector.fromArray(S, xq, xi))
                    .add(signedShorts(w, o + 18).mul(ShortVector.fromArray(S, xq, xi + 16)));
            ShortVector p1 = signedShorts(w, o + 36).mul(ShortVector.fromArray(S, xq, xi + 32))
                    .add(signedShorts(w, o + 52).mul(ShortVector.fromArray(S, xq, xi + 48)));
            acc0 = widenToFloat(p0).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o)) * xd[xb + b]), acc0);
            acc1 = widenToFloat(p1).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o + 34)) * xd[xb + b + 1]), acc1);
        }
        if (b < blocks) {
            long o = at + 34L * b;
            int xi = xo + 32 * b;
            ShortVector p = signedShorts(w, o + 2).mul(ShortVector.fromArray(S, xq, xi))
                    .add(signedShorts(w, o + 18).mul(ShortVector.fromArray(S, xq, xi + 16)));
            acc0 = widenToFloat(p).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o)) * xd[xb + b]), acc0);
        }
        return VectorMath.sum(acc0.add(acc1));
    }

    /**
     * Q4_0 weights (f16 d; u8 qs[16], low nibbles first) with Q8_0 activations: the raw nibbles
     * (0..15) are multiplied, and the offset folded in per block from the activation sums,
     * {@code sum (q - 8) xq = sum q xq - 8 sum xq}; all 32 products fit one 16-lane short vector in
     * pairs.
     */
    static float dotQ4_0(MemorySegment w, long at, short[] xq, float[] xd, int[] xsums, int xo, int blocks) {
        // two blocks per step into two accumulators (as dotQ8_0); pair sums are at most 2 * 15 * 127
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        float offset0 = 0f, offset1 = 0f;
        int xb = xo / 32;
        int b = 0;
        for (; b < (blocks & ~1); b += 2) {
            long o = at + 18L * b;
            int xi = xo + 32 * b;
            // zero-extended to 16 bits: the high nibble is a plain 16-bit shift (AVX2 has no byte shift)
            ShortVector q0 = unsignedShorts(w, o + 2), q1 = unsignedShorts(w, o + 20);
            ShortVector p0 = q0.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xi))
                    .add(q0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, xq, xi + 16)));
            ShortVector p1 = q1.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xi + 32))
                    .add(q1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, xq, xi + 48)));
            float scale0 = Float.float16ToFloat(w.get(I16, o)) * xd[xb + b];
            float scale1 = Float.float16ToFloat(w.get(I16, o + 18)) * xd[xb + b + 1];
            acc0 = widenSmallToFloat(p0).fma(FloatVector.broadcast(F, scale0), acc0);
            acc1 = widenSmallToFloat(p1).fma(FloatVector.broadcast(F, scale1), acc1);
            offset0 += scale0 * xsums[xb + b];
            offset1 += scale1 * xsums[xb + b + 1];
        }
        if (b < blocks) {
            long o = at + 18L * b;
            int xi = xo + 32 * b;
            ShortVector q = unsignedShorts(w, o + 2);
            ShortVector p = q.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xi))
                    .add(q.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, xq, xi + 16)));
            float scale = Float.float16ToFloat(w.get(I16, o)) * xd[xb + b];
            acc0 = widenSmallToFloat(p).fma(FloatVector.broadcast(F, scale), acc0);
            offset0 += scale * xsums[xb + b];
        }
        return VectorMath.sum(acc0.add(acc1)) - 8 * (offset0 + offset1);
    }

    /**
     * Unpacks the sub-block scales of a Q4_K or Q5_K row ({@code blockBytes} 144 or 176; both start
     * with f16 d, dmin and 12 bytes of scales) for {@link #dotQ4_K} and {@link #dotQ5_K}:
     * {@code scales[j] = d * sc_j}, {@code mins[j] = dmin * m_j} for each 32-value sub-block j.
     * Kept out of the vector kernels, whose compiled size it would push past C2's inlining budget
     * (the Vector API then boxes, measured 20x slower).
     */
    static void kScales(MemorySegment w, long at, int blocks, int blockBytes, float[] scales, float[] mins) {
        for (int b = 0; b < blocks; b++) {
            long o = at + (long) blockBytes * b;
            float d = Float.float16ToFloat(w.get(I16, o));
            float dmin = Float.float16ToFloat(w.get(I16, o + 2));
            int sc = w.get(I32, o + 4), mn = w.get(I32, o + 8), high = w.get(I32, o + 12);
            long packedScales = kPacked(sc, high), packedMins = kPacked(mn, high >>> 4);
            for (int j = 0; j < 8; j++) {
                scales[8 * b + j] = d * (int) ((packedScales >>> (8 * j)) & 63);
                mins[8 * b + j] = dmin * (int) ((packedMins >>> (8 * j)) & 63);
            }
        }
    }

    /**
     * Q4_K weights (f16 d, dmin; 12 bytes of 6-bit scales and mins; u8 qs[128]) with Q8_K
     * activations: {@code sum = sum_j dx (d sc_j (q_j . xq_j) - dmin m_j sum(xq_j))} over the
     * 32-value sub-blocks j, with the scales from {@link #kScales}. Each sub-block's integer dot
     * is scaled in float.
     */
    static float dotQ4_K(MemorySegment w, long at, float[] scales, float[] mins, short[] xq, float[] xd, int[] xsums,
            int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        float minSum = 0f;
        int xb = xo / 256, xs = xo / 32;
        // one flat loop over 64-value chunks (4 per block)
        for (int chunk = 0; chunk < 4 * blocks; chunk++) {
            int b = chunk >>> 2;
            long o = at + 144L * b + 16 + 32 * (chunk & 3);
            int xc = xo + 64 * chunk;
            float dx = xd[xb + b];
            // zero-extended to 16 bits: the high nibble is a plain 16-bit shift (AVX2 has no byte shift)
            ShortVector q0 = unsignedShorts(w, o), q1 = unsignedShorts(w, o + 16);
            ShortVector lo = q0.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xc))
                    .add(q1.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xc + 16)));
            ShortVector hi = q0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, xq, xc + 32))
                    .add(q1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, xq, xc + 48)));
            int j = 2 * chunk;
            acc = widenSmallToFloat(lo).fma(FloatVector.broadcast(F, dx * scales[j]), acc); // pairs <= 2 * 15 * 127
            acc = widenSmallToFloat(hi).fma(FloatVector.broadcast(F, dx * scales[j + 1]), acc);
            minSum += dx * (mins[j] * xsums[xs + j] + mins[j + 1] * xsums[xs + j + 1]);
        }
        return VectorMath.sum(acc) - minSum;
    }

    /**
     * Q5_K weights (f16 d, dmin; 12 bytes of scales; u8 qh[32]; u8 qs[128]) with Q8_K activations:
     * as {@link #dotQ4_K}, each value gaining its 5th bit from bit {@code j} of {@code qh[l]}
     * (sub-block j, position l); values are in [0, 31].
     */
    static float dotQ5_K(MemorySegment w, long at, float[] scales, float[] mins, short[] xq, float[] xd, int[] xsums,
            int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        float minSum = 0f;
        int xb = xo / 256, xs = xo / 32;
        // one 32-value sub-block per step: a 64-value step was too big for C2 to inline whole
        for (int sub = 0; sub < 8 * blocks; sub++) {
            int b = sub >>> 3, j = sub & 7;
            long o = at + 176L * b;
            int shift = 4 * (j & 1);
            // widen first, then cut bits with native 16-bit shifts (AVX2 has no byte shift)
            ShortVector q0 = ((ShortVector) ByteVector.fromMemorySegment(B128, w, o + 48 + 32 * (j >>> 1), LE).convertShape(VectorOperators.B2S, S, 0))
                    .lanewise(VectorOperators.ASHR, shift).and((short) 0x0F)
                    .or(((ShortVector) ByteVector.fromMemorySegment(B128, w, o + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                            .lanewise(VectorOperators.ASHR, j).and((short) 1).lanewise(VectorOperators.LSHL, 4));
            ShortVector q1 = ((ShortVector) ByteVector.fromMemorySegment(B128, w, o + 64 + 32 * (j >>> 1), LE).convertShape(VectorOperators.B2S, S, 0))
                    .lanewise(VectorOperators.ASHR, shift).and((short) 0x0F)
                    .or(((ShortVector) ByteVector.fromMemorySegment(B128, w, o + 32, LE).convertShape(VectorOperators.B2S, S, 0))
                            .lanewise(VectorOperators.ASHR, j).and((short) 1).lanewise(VectorOperators.LSHL, 4));
            int xc = xo + 32 * sub;
            ShortVector p = q0.mul(ShortVector.fromArray(S, xq, xc)).add(q1.mul(ShortVector.fromArray(S, xq, xc + 16)));
            float dx = xd[xb + b];
            acc = widenSmallToFloat(p).fma(FloatVector.broadcast(F, dx * scales[sub]), acc); // pairs <= 2 * 31 * 127
            minSum += dx * mins[sub] * xsums[xs + sub];
        }
        return VectorMath.sum(acc) - minSum;
    }

    /**
     * Q6_K weights (u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d) with Q8_K activations, in one pass.
     * Value {@code 128h + 32j + l} (half h, l < 32) has its low 4 bits in nibble {@code j / 2} of
     * {@code ql[64h + 32(j & 1) + l]} and its high 2 bits at bit 2j of {@code qh[32h + l]}; each 16
     * values share a scale. A step takes 16 bytes of ql, so two groups (j and j + 2, the low and
     * high nibbles). Products {@code (q - 32) x} ({@code |.| <= 32 * 127}) are summed pairwise into
     * ints, multiplied by the group's integer scale and summed over the block in ints
     * ({@code |.| <= 8 * 16 * 2 * 32 * 127 * 128 < 2^31} over all lanes): each block is reduced, converted
     * to float and scaled once, so no float vector is left to reduce at the end. The Vector API calls
     * are written out: with helpers of our own this method passed C2's node budget, they were left as
     * calls and their vectors boxed (measured 3.4x slower); {@code VectorMath.sum} was cut off likewise.
     */
    static float dotQ6_K(MemorySegment w, long at, short[] xq, float[] xd, int xo, int blocks) {
        float total = 0f;
        int xb = xo / 256;
        for (int b = 0; b < blocks; b++) {
            long o = at + 210L * b;
            IntVector sum = IntVector.zero(I);
            for (int step = 0; step < 8; step++) {
                int h = step >>> 2, l = 16 * ((step >>> 1) & 1), j = step & 1;
                ShortVector nibbles = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 64 * h + 32 * j + l, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector bits = ((ShortVector) ByteVector.fromMemorySegment(B128, w, o + 128 + 32 * h + l, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).lanewise(VectorOperators.LSHR, 2 * j);
                ShortVector q0 = nibbles.and((short) 0x0F).or(bits.and((short) 0x03).lanewise(VectorOperators.LSHL, 4)).sub((short) 32);
                ShortVector q1 = nibbles.lanewise(VectorOperators.LSHR, 4).or(bits.and((short) 0x30)).sub((short) 32);
                int xi = xo + 256 * b + 128 * h + 32 * j + l;
                // pairwise sums as widenSmall does them, written out
                IntVector p0 = q0.mul(ShortVector.fromArray(S, xq, xi)).reinterpretAsInts();
                IntVector p1 = q1.mul(ShortVector.fromArray(S, xq, xi + 64)).reinterpretAsInts();
                long sc = o + 192 + 8 * h + 2 * j + (l >>> 4);
                sum = sum.add(p0.lanewise(VectorOperators.LSHL, 16).add(p0).lanewise(VectorOperators.ASHR, 16).mul(w.get(ValueLayout.JAVA_BYTE, sc)))
                        .add(p1.lanewise(VectorOperators.LSHL, 16).add(p1).lanewise(VectorOperators.ASHR, 16).mul(w.get(ValueLayout.JAVA_BYTE, sc + 4)));
            }
            float scale = Float.float16ToFloat(w.get(I16, o + 208)) * xd[xb + b];
            total += scale * sum.reduceLanes(VectorOperators.ADD); // an exact int sum (< 2^31): no order to keep
        }
        return total;
    }

    /**
     * The eight 6-bit scales (or mins) of a K-quant block, one per byte, from its packed bytes read
     * as ints: {@code low} holds bytes 0..3 (scales) or 4..7 (mins), {@code high} bytes 8..11
     * (shifted right by 4 for the mins). Sub-blocks 0..3 keep 6 bits in {@code low}; 4..7 take 4
     * bits from {@code high} and their top 2 bits from the spare top bits of {@code low}: all four
     * bytes at once, without a branch per sub-block.
     */
    static long kPacked(int low, int high) {
        int first = low & 0x3F3F3F3F;
        int second = (high & 0x0F0F0F0F) | ((low >>> 2) & 0x30303030);
        return (first & 0xFFFFFFFFL) | ((long) second << 32);
    }

    /**
     * Sums the 16 short lanes pairwise into 8 int lanes: read as ints, each lane holds a pair (low
     * half, high half) that two shifts split in place. Which lanes pair up does not matter, as every
     * caller sums all lanes in the end. ({@code convertShape(S2I, I, 1)} of the upper half compiled
     * to a permute, two shuffles and two blends on AVX2: about 9 uops where this takes 4.)
     */
    private static IntVector widen(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /**
     * As {@link #widen} in 3 uops, for pairs whose sum fits 16 bits ({@code |lo + hi| < 2^15}): with
     * {@code v = hi 2^16 + (lo mod 2^16)}, {@code (v << 16) + v = (lo + hi) 2^16 + (lo mod 2^16)},
     * whose top half is {@code lo + hi} exactly.
     */
    private static IntVector widenSmall(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).add(v).lanewise(VectorOperators.ASHR, 16);
    }

    private static FloatVector widenToFloat(ShortVector p) {
        return (FloatVector) widen(p).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector widenSmallToFloat(ShortVector p) {
        return (FloatVector) widenSmall(p).convert(VectorOperators.I2F, 0);
    }

    /** 16 bytes at {@code o}, sign-extended to 16 short lanes. */
    private static ShortVector signedShorts(MemorySegment w, long o) {
        return (ShortVector) ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.B2S, S, 0);
    }

    /** 16 bytes at {@code o}, zero-extended to 16 short lanes (nibbles then need no mask after a right shift). */
    private static ShortVector unsignedShorts(MemorySegment w, long o) {
        return (ShortVector) ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
    }
}
