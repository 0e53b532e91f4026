package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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

    /**
     * {@link #dotQ4_0} with each block's f16 scale looked up in {@link HalfFloats} instead of converted, the same
     * arithmetic otherwise (so the same result, bit for bit). The conversion's {@code vmovd} and {@code vcvtph2ps}
     * take three of the block's vector uops; on Intel's 512-bit cores (Sapphire Rapids) this form is 1.2x faster
     * (docs/benchmarks.md, 2026-12-04). {@link DotRoutes} chooses between the two per machine: Zen 4 keeps the
     * measured {@link #dotQ4_0}. A copy rather than a flag: each form is one small loop for C2.
     */
    static float dotQ4_0Table(MemorySegment w, long at, int[] xpairs, float[] xd, int[] xsums, int xo, int blocks) {
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
            float scale0 = HalfFloats.TO_FLOAT[w.get(I16, o) & 0xFFFF] * xd[xb + b];
            float scale1 = HalfFloats.TO_FLOAT[w.get(I16, o + 18) & 0xFFFF] * xd[xb + b + 1];
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
            float scale = HalfFloats.TO_FLOAT[w.get(I16, o) & 0xFFFF] * xd[xb + b];
            acc0 = p.convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.broadcast(F256, scale * UPPER), acc0);
            offset0 += scale * xsums[xb + b];
        }
        return VectorMath.sum(acc0.add(acc1)) - 8 * (offset0 + offset1);
    }

    /**
     * Q6_K weights (u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d) with Q8_K activations: the unsigned 6-bit codes
     * {@code q} in [0, 63] meet the pairs as Q4_K's nibbles do ({@code 2 * 63 * 127 * 2^16 < 2^31}, so the pair
     * product is exact in an int and its cross product {@code |w0 x1| <= 63 * 127 < 2^15}), and the offset of 32 is
     * folded out: {@code sum_b dx_b sum_g d sc_g (q_g . xq_g - 32 sum(xq_g))} over the 16-value groups g; each block's
     * sum starts at its offset term, one multiply of its scales with the group sums of x
     * ({@link QuantizedActivations#groupSums}), and is scaled by {@code dx_b} once, so the weights' scales
     * ({@code d sc_g 2^-16}) are the same for every row of x ({@link PairRows#dotQ6_K4} shares them).
     *
     * <p>Per half h of a block, the 32 bytes of qh and the two 32-byte runs of ql that share them are zero-extended
     * to 16-bit lanes once; the value {@code 128h + 32j + l} is nibble {@code j / 2} of {@code ql[64h + 32(j & 1) + l]}
     * with bits {@code 2j, 2j + 1} of {@code qh[32h + l]} above it, so each j is 32 consecutive values: 16 pairs in
     * the order of the activations, groups {@code 8h + 2j} (lanes 0-7) and {@code 8h + 2j + 1} (lanes 8-15). Their
     * scales come from the block's sixteen, converted once per block, by one permutation ({@code PAIR_g}).
     */
    static float dotQ6_K(MemorySegment w, long at, float[] scratch, int[] xpairs, float[] xd, float[] xgroupSums, int xo, int blocks) {
        FloatVector a = FloatVector.zero(F);
        int xb = xo / 256;
        for (int b = 0; b < blocks; b++) {
            long block = at + 210L * b;
            // the weights' scales d sc_g 2^-16, without dx: the form PairRows.dotQ6_K4 shares between rows
            FloatVector sc = ByteVector.fromMemorySegment(B128, w, block + 192, LE).convertShape(VectorOperators.B2F, F, 0)
                    .reinterpretAsFloats().mul(Float.float16ToFloat(w.get(I16, block + 208)) * UPPER);
            // this block's even and odd j, scaled by dx once at its end; t0 starts at the offset, -32 d sc_g sum(xq_g)
            FloatVector t0 = sc.mul(FloatVector.fromArray(F, xgroupSums, xo / 16 + 16 * b)), t1 = FloatVector.zero(F);
            for (int h = 0; h < 2; h++) {
                // shifts and masks in int lanes: C2 gives int shifts by a constant an immediate, while each 16-bit
                // shift held its count in a register of its own, and those registers pushed the accumulators to the
                // stack; the masks keep each 16-bit half to its own bits (a right shift moves w1's bits into w0's half)
                IntVector low0 = ByteVector.fromMemorySegment(B256, w, block + 64 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector low1 = ByteVector.fromMemorySegment(B256, w, block + 64 * h + 32, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector high = ByteVector.fromMemorySegment(B256, w, block + 128 + 32 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector q0 = low0.and(NIBBLES).or(high.lanewise(VectorOperators.LSHL, 4).and(TOP_BITS));
                IntVector q1 = low1.and(NIBBLES).or(high.lanewise(VectorOperators.LSHL, 2).and(TOP_BITS));
                IntVector q2 = low0.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).or(high.and(TOP_BITS));
                IntVector q3 = low1.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).or(high.lanewise(VectorOperators.LSHR, 2).and(TOP_BITS));
                int xi = xo / 2 + 128 * b + 64 * h;
                t0 = q0.mul(IntVector.fromArray(I, xpairs, xi)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(sc.rearrange(h == 0 ? PAIR_0 : PAIR_8), t0);
                t1 = q1.mul(IntVector.fromArray(I, xpairs, xi + 16)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(sc.rearrange(h == 0 ? PAIR_2 : PAIR_10), t1);
                t0 = q2.mul(IntVector.fromArray(I, xpairs, xi + 32)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(sc.rearrange(h == 0 ? PAIR_4 : PAIR_12), t0);
                t1 = q3.mul(IntVector.fromArray(I, xpairs, xi + 48)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(sc.rearrange(h == 0 ? PAIR_6 : PAIR_14), t1);
            }
            a = t0.add(t1).fma(FloatVector.broadcast(F, xd[xb + b]), a);
        }
        // summed through an array in sum()'s order, as in dotQ4_K (no vector crosses a call)
        a.intoArray(scratch, 0);
        return VectorMath.sumStored(scratch);
    }

    /** The low four bits of each 16-bit half of an int: a code's nibble. */
    static final int NIBBLES = 0x000F000F;
    /** Bits 4 and 5 of each 16-bit half: a Q6_K code's two bits from qh. */
    static final int TOP_BITS = 0x00300030;

    // PAIR_g: lanes 0-7 take scale g, lanes 8-15 scale g + 1 (the two groups of one product's 32 values); constants,
    // one each, so that C2 folds them once the loop over h is unrolled
    static final VectorShuffle<Float> PAIR_0 = groupPair(0), PAIR_2 = groupPair(2), PAIR_4 = groupPair(4);
    static final VectorShuffle<Float> PAIR_6 = groupPair(6), PAIR_8 = groupPair(8), PAIR_10 = groupPair(10);
    static final VectorShuffle<Float> PAIR_12 = groupPair(12), PAIR_14 = groupPair(14);

    private static VectorShuffle<Float> groupPair(int g) {
        int[] lanes = new int[16];
        for (int l = 0; l < 16; l++) {
            lanes[l] = g + l / 8;
        }
        return VectorShuffle.fromArray(F, lanes, 0);
    }
}
