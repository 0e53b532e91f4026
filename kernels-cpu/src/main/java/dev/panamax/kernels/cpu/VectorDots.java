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
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
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
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
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
        float sum = a0.reduceLanes(VectorOperators.ADD);
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
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q4_0 weights (f16 d; u8 qs[16], low nibbles first) with Q8_0 activations: nibbles minus 8 are
     * in [-8, 7], so all 32 products of a block fit one 16-lane short vector in pairs.
     */
    static float dotQ4_0(MemorySegment w, long at, short[] xq, float[] xd, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        int xb = xo / 32;
        for (int b = 0; b < blocks; b++) {
            long o = at + 18L * b;
            int xi = xo + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, o + 2, LE);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            ShortVector p = ((ShortVector) lo.convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xi))
                    .add(((ShortVector) hi.convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xi + 16)));
            float scale = Float.float16ToFloat(w.get(I16, o)) * xd[xb + b];
            acc = widenToFloat(p).fma(FloatVector.broadcast(F, scale), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Unpacks the sub-block scales of a Q4_K row for {@link #dotQ4_K}: {@code scales[j] = d * sc_j},
     * {@code mins[j] = dmin * m_j} for each 32-value sub-block j. Kept out of the vector kernel,
     * whose compiled size it would push past C2's inlining budget (the Vector API then boxes).
     */
    static void q4KScales(MemorySegment w, long at, int blocks, float[] scales, float[] mins) {
        for (int b = 0; b < blocks; b++) {
            long o = at + 144L * b;
            float d = Float.float16ToFloat(w.get(I16, o));
            float dmin = Float.float16ToFloat(w.get(I16, o + 2));
            int sc = w.get(I32, o + 4), mn = w.get(I32, o + 8), high = w.get(I32, o + 12);
            for (int j = 0; j < 8; j++) {
                scales[8 * b + j] = d * kScale(sc, high, j);
                mins[8 * b + j] = dmin * kScale(mn, high >>> 4, j);
            }
        }
    }

    /**
     * Q4_K weights (f16 d, dmin; 12 bytes of 6-bit scales and mins; u8 qs[128]) with Q8_K
     * activations: {@code sum = sum_j dx (d sc_j (q_j . xq_j) - dmin m_j sum(xq_j))} over the
     * 32-value sub-blocks j, with the scales from {@link #q4KScales}. Each sub-block's integer dot
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
            ByteVector q0 = ByteVector.fromMemorySegment(B128, w, o, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B128, w, o + 16, LE);
            ShortVector lo = ((ShortVector) q0.and((byte) 0x0F).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xc))
                    .add(((ShortVector) q1.and((byte) 0x0F).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xc + 16)));
            ShortVector hi = ((ShortVector) q0.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xc + 32))
                    .add(((ShortVector) q1.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xc + 48)));
            int j = 2 * chunk;
            acc = widenToFloat(lo).fma(FloatVector.broadcast(F, dx * scales[j]), acc);
            acc = widenToFloat(hi).fma(FloatVector.broadcast(F, dx * scales[j + 1]), acc);
            minSum += dx * (mins[j] * xsums[xs + j] + mins[j + 1] * xsums[xs + j + 1]);
        }
        return acc.reduceLanes(VectorOperators.ADD) - minSum;
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
            ByteVector low = ByteVector.fromMemorySegment(B128, w, o + 64 * h + 32 * (j & 1) + 16 * half, LE)
                    .lanewise(VectorOperators.LSHR, 4 * (j >>> 1)).and((byte) 0x0F);
            ByteVector high = ByteVector.fromMemorySegment(B128, w, o + 128 + 32 * h + 16 * half, LE)
                    .lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
            ShortVector q = (ShortVector) low.or(high).sub((byte) 32).convertShape(VectorOperators.B2S, S, 0);
            ShortVector p = q.mul(ShortVector.fromArray(S, xq, xo + 16 * g));
            acc = widenToFloat(p).fma(FloatVector.broadcast(F, xd[xb + b] * scales[g]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * The 6-bit scale (or min) {@code j} of a K-quant block from its packed bytes read as ints:
     * {@code low} holds bytes 0..3 (scales) or 4..7 (mins), {@code high} bytes 8..11 (shifted right
     * by 4 for the mins). Sub-blocks 0..3 keep 6 bits in {@code low}; 4..7 take 4 bits from
     * {@code high} and their top 2 bits from the spare top bits of {@code low}.
     */
    private static int kScale(int low, int high, int j) {
        return j < 4
                ? (low >>> (8 * j)) & 63
                : ((high >>> (8 * (j - 4))) & 0xF) | ((low >>> (8 * (j - 4) + 6)) & 3) << 4;
    }

    /** Sums the 16 short lanes pairwise into 8 int lanes. */
    private static IntVector widen(ShortVector p) {
        return ((IntVector) p.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
    }

    private static FloatVector widenToFloat(ShortVector p) {
        return (FloatVector) widen(p).convert(VectorOperators.I2F, 0);
    }
}
