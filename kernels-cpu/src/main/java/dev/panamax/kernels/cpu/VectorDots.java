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
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

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

    /** F32 weights at byte {@code at} of {@code w} with {@code x[xo ...]}. */
    static float dotF32(MemorySegment w, long at, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 16; i += 16) {
            a0 = FloatVector.fromMemorySegment(F, w, at + 4L * i, LE).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, at + 4L * i + 32, LE).fma(FloatVector.fromArray(F, x, xo + i + 8), a1);
        }
        float sum = VectorMath.sum(a0.add(a1));
        for (; i < n; i++) {
            sum += w.get(F32, at + 4L * i) * x[xo + i];
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
        FloatVector acc = FloatVector.zero(F);
        int xb = xo / 32;
        for (int b = 0; b < blocks; b++) {
            long o = at + 34L * b;
            int xi = xo + 32 * b;
            ShortVector w0 = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 2, LE).convertShape(VectorOperators.B2S, S, 0);
            ShortVector w1 = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 18, LE).convertShape(VectorOperators.B2S, S, 0);
            ShortVector p = w0.mul(ShortVector.fromArray(S, xq, xi)).add(w1.mul(ShortVector.fromArray(S, xq, xi + 16)));
            float scale = Float.float16ToFloat(w.get(I16, o)) * xd[xb + b];
            acc = widenToFloat(p).fma(FloatVector.broadcast(F, scale), acc);
        }
        return VectorMath.sum(acc);
    }

    /**
     * Q4_0 weights (f16 d; u8 qs[16], low nibbles first) with Q8_0 activations: the raw nibbles
     * (0..15) are multiplied, and the offset folded in per block from the activation sums,
     * {@code sum (q - 8) xq = sum q xq - 8 sum xq}; all 32 products fit one 16-lane short vector in
     * pairs.
     */
    static float dotQ4_0(MemorySegment w, long at, short[] xq, float[] xd, int[] xsums, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        float offset = 0f;
        int xb = xo / 32;
        for (int b = 0; b < blocks; b++) {
            long o = at + 18L * b;
            int xi = xo + 32 * b;
            // widen first, then cut nibbles with native 16-bit shifts (AVX2 has no byte shift)
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 2, LE).convertShape(VectorOperators.B2S, S, 0);
            ShortVector p = q.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xi))
                    .add(q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xi + 16)));
            float scale = Float.float16ToFloat(w.get(I16, o + 0)) * xd[xb + b];
            acc = widenToFloat(p).fma(FloatVector.broadcast(F, scale), acc);
            offset += scale * xsums[xb + b];
        }
        return VectorMath.sum(acc) - 8 * offset;
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
            // widen the bytes first: nibbles are then cut with native 16-bit shifts (AVX2 has no byte shift)
            ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.B2S, S, 0);
            ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 16, LE).convertShape(VectorOperators.B2S, S, 0);
            ShortVector lo = q0.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xc))
                    .add(q1.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xc + 16)));
            ShortVector hi = q0.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xc + 32))
                    .add(q1.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xc + 48)));
            int j = 2 * chunk;
            acc = widenToFloat(lo).fma(FloatVector.broadcast(F, dx * scales[j]), acc);
            acc = widenToFloat(hi).fma(FloatVector.broadcast(F, dx * scales[j + 1]), acc);
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
            acc = widenToFloat(p).fma(FloatVector.broadcast(F, dx * scales[sub]), acc);
            minSum += dx * mins[sub] * xsums[xs + sub];
        }
        return VectorMath.sum(acc) - minSum;
    }

    /** Unpacks a Q6_K row's scales for {@link #dotQ6_K}: {@code scales[g] = d * sc_g} for each 16-value group g. */
    static void q6KScales(MemorySegment w, long at, int blocks, float[] scales) {
        for (int b = 0; b < blocks; b++) {
            long o = at + 210L * b;
            float d = Float.float16ToFloat(w.get(I16, o + 208));
            for (int g = 0; g < 16; g++) {
                scales[16 * b + g] = d * w.get(ValueLayout.JAVA_BYTE, o + 192 + g);
            }
        }
    }

    /**
     * Q6_K weights (u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d) with Q8_K activations, one
     * 16-value group per step: group {@code g = 8h + 2j + half} holds values {@code 128h + 32j +
     * 16half + l}, whose low 4 bits are nibble {@code j / 2} of {@code ql[64h + 32(j&1) + 16half + l]}
     * and high 2 bits are bits {@code 2j} of {@code qh[32h + 16half + l]}; q - 32 is in [-32, 31].
     */
    static float dotQ6_K(MemorySegment w, long at, float[] scales, short[] xq, float[] xd, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        int xb = xo / 256;
        for (int g = 0; g < 16 * blocks; g++) {
            int b = g >>> 4, h = (g >>> 3) & 1, j = (g >>> 1) & 3, half = g & 1;
            long o = at + 210L * b;
            // widen first, then cut bits with native 16-bit shifts (AVX2 has no byte shift)
            ShortVector low = ((ShortVector) ByteVector.fromMemorySegment(B128, w, o + 64 * h + 32 * (j & 1) + 16 * half, LE)
                    .convertShape(VectorOperators.B2S, S, 0)).lanewise(VectorOperators.ASHR, 4 * (j >>> 1)).and((short) 0x0F);
            ShortVector high = ((ShortVector) ByteVector.fromMemorySegment(B128, w, o + 128 + 32 * h + 16 * half, LE)
                    .convertShape(VectorOperators.B2S, S, 0)).lanewise(VectorOperators.ASHR, 2 * j).and((short) 3).lanewise(VectorOperators.LSHL, 4);
            ShortVector q = low.or(high).sub((short) 32);
            ShortVector p = q.mul(ShortVector.fromArray(S, xq, xo + 16 * g));
            acc = widenToFloat(p).fma(FloatVector.broadcast(F, xd[xb + b] * scales[g]), acc);
        }
        return VectorMath.sum(acc);
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

    /** Sums the 16 short lanes pairwise into 8 int lanes. */
    private static IntVector widen(ShortVector p) {
        return ((IntVector) p.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
    }

    private static FloatVector widenToFloat(ShortVector p) {
        return (FloatVector) widen(p).convert(VectorOperators.I2F, 0);
    }
}
