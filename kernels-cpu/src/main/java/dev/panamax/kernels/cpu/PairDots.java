package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 512-bit decode dots of 4-bit weights with 8-bit activations, two products per 32-bit multiply. The Vector
 * API has no {@code vpmaddwd} (16-bit products summed pairwise into 32 bits), so it is made of one
 * {@code vpmulld}: the weights' bytes, zero-extended to 16-bit lanes and read as ints, hold a pair
 * {@code W = w1 2^16 + w0} (both in [0, 15], so W is exactly that), and the activations are stored as
 * {@code X = x0 2^16 + x1} ({@link QuantizedActivations#pairs}). Modulo 2^32,
 * {@code W X = (w0 x0 + w1 x1) 2^16 + w0 x1}: the pair's dot {@code D} sits in the upper half, with the cross
 * product {@code c = w0 x1} ({@code |c| <= 15 * 127 < 2^15}) below it. Converted to float and scaled by 2^-16
 * the lane is {@code D + c / 2^16}: the dot, off by at most {@code |w0 x1| / 65536} per pair (0.03 of one
 * unit of the activations' quantization, whose own rounding is up to half a unit per value; the tests bound
 * it). So 32 weights take one multiply and one conversion, where the float kernels of {@link WideDots} take
 * two conversions and a multiply, and the 16-bit products of {@link VectorDots} a multiply and three
 * instructions of widening per 16 weights.
 *
 * <p>As in {@link WideDots}, the Vector API calls are written out and no vector crosses a call.
 */
final class PairDots {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final java.lang.foreign.ValueLayout.OfShort I16 = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** 2^-16: the weight of the upper half of a pair product. */
    private static final float UPPER = 0x1p-16f;

    private PairDots() {
    }

    /**
     * Q4_K weights (f16 d, dmin; 12 bytes of scales; u8 qs[128]) with Q8_K activations (row {@code i} of x at
     * element {@code xo = i k}): {@code sum_b dx_b (sum_j d sc_j (q_j . xq_j) - dmin m_j sum(xq_j))} over the
     * 32-value sub-blocks j. Each block's scales and mins go through {@code scalesAndMins[0 .. 16)}, a scratch
     * array ({@link WideDots#kScalesAndMins}), in the same pass as its dot; the mins term is one multiply-add
     * of them with {@code xsums} ({@link QuantizedActivations#kSums}). Each step reads 32 bytes: their low
     * nibbles are sub-block 2c, their high nibbles 2c + 1, both in the order of the activations.
     */
    static float dotQ4_K(MemorySegment w, long at, float[] scalesAndMins, int[] xpairs, float[] xd, float[] xsums,
            int xo, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, m = a0;
        int xb = xo / 256;
        for (int b = 0; b < blocks; b++) {
            long block = at + 144L * b;
            WideDots.kScalesAndMins(w, block, scalesAndMins);
            m = FloatVector.fromArray(F, scalesAndMins, 0).fma(FloatVector.fromArray(F, xsums, xo / 16 + 16 * b), m);
            float unit = xd[xb + b] * UPPER;
            for (int c = 0; c < 4; c++) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, block + 16 + 32 * c, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                int xi = xo / 2 + 128 * b + 32 * c;
                IntVector lo = q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xpairs, xi));
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xpairs, xi + 16));
                a0 = lo.convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.broadcast(F, unit * scalesAndMins[2 * c]), a0);
                a1 = hi.convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.broadcast(F, unit * scalesAndMins[2 * c + 1]), a1);
            }
        }
        // summed through the scratch array, in sum()'s order: in a kernel this big, a call of VectorMath.sum(v)
        // may not be inlined, and v was then boxed for every row (96 B per row under MatmulBench -prof gc)
        a0.add(a1).intoArray(scalesAndMins, 0);
        float sum = VectorMath.sumStored(scalesAndMins);
        m.intoArray(scalesAndMins, 0);
        return sum - VectorMath.sumStored(scalesAndMins);
    }

    /**
     * Q4_0 weights (f16 d; u8 qs[16], low nibbles first) with Q8_0 activations: a block's 16 bytes, zero-extended
     * and read as 8 ints, are the pairs of values {@code 2i, 2i + 1} (low nibbles) and {@code 16 + 2i, 17 + 2i}
     * (high nibbles), both in the order of the activations; their two products share the block's scale, so they
     * are added before the one conversion. Values are the raw nibbles, the offset folded in from the activation
     * sums as in {@link VectorDots#dotQ4_0}. 256-bit vectors (a block is 8 pairs), two blocks per step into two
     * accumulators: one FMA chain would bound the loop by its latency.
     */
    static float dotQ4_0(MemorySegment w, long at, int[] xpairs, float[] xd, int[] xsums, int xo, int blocks) {
        FloatVector acc0 = FloatVector.zero(F256), acc1 = acc0;
        float offset0 = 0f, offset1 = 0f;
        int xb = xo / 32;
        int b = 0;
        for (; b < (blocks & ~1); b += 2) {
            long o = at + 18L * b;
            int xi = xo / 2 + 16 * b;
            ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
            ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 20, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
            IntVector p0 = q0.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I256, xpairs, xi))
                    .add(q0.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I256, xpairs, xi + 8)));
            IntVector p1 = q1.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I256, xpairs, xi + 16))
                    .add(q1.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I256, xpairs, xi + 24)));
            float scale0 = Float.float16ToFloat(w.get(I16, o)) * xd[xb + b];
            float scale1 = Float.float16ToFloat(w.get(I16, o + 18)) * xd[xb + b + 1];
            acc0 = p0.convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.broadcast(F256, scale0 * UPPER), acc0);
            acc1 = p1.convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.broadcast(F256, scale1 * UPPER), acc1);
            offset0 += scale0 * xsums[xb + b];
            offset1 += scale1 * xsums[xb + b + 1];
        }
        if (b < blocks) {
            long o = at + 18L * b;
            int xi = xo / 2 + 16 * b;
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B128, w, o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
            IntVector p = q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I256, xpairs, xi))
                    .add(q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I256, xpairs, xi + 8)));
            float scale = Float.float16ToFloat(w.get(I16, o)) * xd[xb + b];
            acc0 = p.convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.broadcast(F256, scale * UPPER), acc0);
            offset0 += scale * xsums[xb + b];
        }
        return VectorMath.sum(acc0.add(acc1)) - 8 * (offset0 + offset1);
    }
}
