package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PairDots#dotQ4_K} and {@link PairDots#dotQ6_K} of two weight rows in one pass, for the 512-bit decode
 * matvec where {@link DotRoutes} picks them (Intel). Each row gets exactly its one-row dot's operations in the
 * same order, so its result is bit for bit {@code PairDots}'; what changes is the cost around them:
 * <ul>
 *   <li>a call, its range checks and its loop set-up are paid once per two rows, and each load of x's pairs
 *       (and of Q6_K's group sums) serves both rows;</li>
 *   <li>the accumulators are summed in registers, lane {@code i} plus lane {@code i ^ d} for d = 1, 2, 4, 8, which is
 *       {@link VectorMath#sumStored}'s pairwise order, instead of being stored and summed by that scalar method,
 *       which C2 does not inline into kernels this big (JFR of a Q4_K_M decode on Sapphire Rapids: about 10% of
 *       the samples in {@code sumStored}, a call, a 64-byte store and sixteen dependent loads and adds per row).</li>
 * </ul>
 * Measured per row on Sapphire Rapids (one core, thread CPU time, under load): Q4_K 1.3x at K = 2048, 1.15x at
 * K = 5632; Q6_K 1.2x and 1.1x. As in {@link PairDots}, the Vector API calls are written out and no vector crosses
 * a call.
 */
final class TwoRowPairDots {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** 2^-16: the weight of the upper half of a pair product ({@link PairDots}). */
    private static final float UPPER = 0x1p-16f;

    // lane i takes lane i ^ d: adding a vector to itself so rearranged, for d = 1, 2, 4, 8, leaves in lane 0 the
    // pairwise sum of VectorMath.sumStored, bit for bit (PairRows sums its rows so too)
    static final VectorShuffle<Float> XOR_1 = laneXor(1), XOR_2 = laneXor(2), XOR_4 = laneXor(4), XOR_8 = laneXor(8);

    private TwoRowPairDots() {
    }

    /**
     * {@link PairDots#dotQ4_K} of the weight rows at {@code at} and {@code at + stride} with x row {@code xo / k},
     * written as floats to {@code out} at {@code outAt} and {@code outAt + 4}.
     *
     * @param scalesAndMins 32 floats of scratch: each row's block scales and mins ({@link WideDots#kScalesAndMins})
     */
    static void dotQ4_K(MemorySegment w, long at, long stride, float[] scalesAndMins, int[] xpairs, float[] xd,
            float[] xsums, int xo, int blocks, MemorySegment out, long outAt) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, m = a0, b0 = a0, b1 = a0, n = a0;
        int xb = xo / 256;
        for (int b = 0; b < blocks; b++) {
            long block = at + 144L * b;
            WideDots.kScalesAndMins(w, block, scalesAndMins, 0);
            WideDots.kScalesAndMins(w, block + stride, scalesAndMins, 16);
            FloatVector sums = FloatVector.fromArray(F, xsums, xo / 16 + 16 * b);
            m = FloatVector.fromArray(F, scalesAndMins, 0).fma(sums, m);
            n = FloatVector.fromArray(F, scalesAndMins, 16).fma(sums, n);
            float unit = xd[xb + b] * UPPER;
            for (int c = 0; c < 4; c++) {
                int xi = xo / 2 + 128 * b + 32 * c;
                IntVector xlo = IntVector.fromArray(I, xpairs, xi), xhi = IntVector.fromArray(I, xpairs, xi + 16);
                // the same integer codes as PairDots.dotQ4_K's 16-bit masks and shifts, by int-lane ones (a shift by a
                // constant takes an immediate; DEVELOPERS.md), so the same products
                IntVector q = ByteVector.fromMemorySegment(B256, w, block + 16 + 32 * c, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector r = ByteVector.fromMemorySegment(B256, w, block + stride + 16 + 32 * c, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                a0 = q.and(PairDots.NIBBLES).mul(xlo).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit * scalesAndMins[2 * c]), a0);
                a1 = q.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES).mul(xhi).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit * scalesAndMins[2 * c + 1]), a1);
                b0 = r.and(PairDots.NIBBLES).mul(xlo).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit * scalesAndMins[16 + 2 * c]), b0);
                b1 = r.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES).mul(xhi).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit * scalesAndMins[16 + 2 * c + 1]), b1);
            }
        }
        FloatVector s = a0.add(a1), t = b0.add(b1);
        s = s.add(s.rearrange(XOR_1));
        t = t.add(t.rearrange(XOR_1));
        m = m.add(m.rearrange(XOR_1));
        n = n.add(n.rearrange(XOR_1));
        s = s.add(s.rearrange(XOR_2));
        t = t.add(t.rearrange(XOR_2));
        m = m.add(m.rearrange(XOR_2));
        n = n.add(n.rearrange(XOR_2));
        s = s.add(s.rearrange(XOR_4));
        t = t.add(t.rearrange(XOR_4));
        m = m.add(m.rearrange(XOR_4));
        n = n.add(n.rearrange(XOR_4));
        s = s.add(s.rearrange(XOR_8));
        t = t.add(t.rearrange(XOR_8));
        m = m.add(m.rearrange(XOR_8));
        n = n.add(n.rearrange(XOR_8));
        out.set(F32, outAt, s.lane(0) - m.lane(0));
        out.set(F32, outAt + 4, t.lane(0) - n.lane(0));
    }

    /**
     * {@link PairDots#dotQ6_K} of the weight rows at {@code at} and {@code at + stride} with x row {@code xo / k},
     * written as floats to {@code out} at {@code outAt} and {@code outAt + 4}.
     */
    static void dotQ6_K(MemorySegment w, long at, long stride, int[] xpairs, float[] xd, float[] xgroupSums, int xo,
            int blocks, MemorySegment out, long outAt) {
        FloatVector a = FloatVector.zero(F), b = a;
        int xb = xo / 256;
        for (int k = 0; k < blocks; k++) {
            long block = at + 210L * k, other = block + stride;
            FloatVector groupSums = FloatVector.fromArray(F, xgroupSums, xo / 16 + 16 * k);
            FloatVector sc = ByteVector.fromMemorySegment(B128, w, block + 192, LE).convertShape(VectorOperators.B2F, F, 0)
                    .reinterpretAsFloats().mul(Float.float16ToFloat(w.get(I16, block + 208)) * UPPER);
            FloatVector sd = ByteVector.fromMemorySegment(B128, w, other + 192, LE).convertShape(VectorOperators.B2F, F, 0)
                    .reinterpretAsFloats().mul(Float.float16ToFloat(w.get(I16, other + 208)) * UPPER);
            FloatVector t0 = sc.mul(groupSums), t1 = FloatVector.zero(F), u0 = sd.mul(groupSums), u1 = t1;
            for (int h = 0; h < 2; h++) {
                int xi = xo / 2 + 128 * k + 64 * h;
                IntVector x0 = IntVector.fromArray(I, xpairs, xi), x1 = IntVector.fromArray(I, xpairs, xi + 16);
                IntVector x2 = IntVector.fromArray(I, xpairs, xi + 32), x3 = IntVector.fromArray(I, xpairs, xi + 48);
                // the codes as PairDots.dotQ6_K unpacks them (int-lane shifts by constants, masked per 16-bit half)
                IntVector low0 = ByteVector.fromMemorySegment(B256, w, block + 64 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector low1 = ByteVector.fromMemorySegment(B256, w, block + 64 * h + 32, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector high = ByteVector.fromMemorySegment(B256, w, block + 128 + 32 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector q0 = low0.and(PairDots.NIBBLES).or(high.lanewise(VectorOperators.LSHL, 4).and(PairDots.TOP_BITS));
                IntVector q1 = low1.and(PairDots.NIBBLES).or(high.lanewise(VectorOperators.LSHL, 2).and(PairDots.TOP_BITS));
                IntVector q2 = low0.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES).or(high.and(PairDots.TOP_BITS));
                IntVector q3 = low1.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES)
                        .or(high.lanewise(VectorOperators.LSHR, 2).and(PairDots.TOP_BITS));
                t0 = q0.mul(x0).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sc.rearrange(h == 0 ? PairDots.PAIR_0 : PairDots.PAIR_8), t0);
                t1 = q1.mul(x1).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sc.rearrange(h == 0 ? PairDots.PAIR_2 : PairDots.PAIR_10), t1);
                t0 = q2.mul(x2).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sc.rearrange(h == 0 ? PairDots.PAIR_4 : PairDots.PAIR_12), t0);
                t1 = q3.mul(x3).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sc.rearrange(h == 0 ? PairDots.PAIR_6 : PairDots.PAIR_14), t1);
                IntVector lowR0 = ByteVector.fromMemorySegment(B256, w, other + 64 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector lowR1 = ByteVector.fromMemorySegment(B256, w, other + 64 * h + 32, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector highR = ByteVector.fromMemorySegment(B256, w, other + 128 + 32 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector r0 = lowR0.and(PairDots.NIBBLES).or(highR.lanewise(VectorOperators.LSHL, 4).and(PairDots.TOP_BITS));
                IntVector r1 = lowR1.and(PairDots.NIBBLES).or(highR.lanewise(VectorOperators.LSHL, 2).and(PairDots.TOP_BITS));
                IntVector r2 = lowR0.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES).or(highR.and(PairDots.TOP_BITS));
                IntVector r3 = lowR1.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES)
                        .or(highR.lanewise(VectorOperators.LSHR, 2).and(PairDots.TOP_BITS));
                u0 = r0.mul(x0).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sd.rearrange(h == 0 ? PairDots.PAIR_0 : PairDots.PAIR_8), u0);
                u1 = r1.mul(x1).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sd.rearrange(h == 0 ? PairDots.PAIR_2 : PairDots.PAIR_10), u1);
                u0 = r2.mul(x2).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sd.rearrange(h == 0 ? PairDots.PAIR_4 : PairDots.PAIR_12), u0);
                u1 = r3.mul(x3).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(sd.rearrange(h == 0 ? PairDots.PAIR_6 : PairDots.PAIR_14), u1);
            }
            FloatVector dx = FloatVector.broadcast(F, xd[xb + k]);
            a = t0.add(t1).fma(dx, a);
            b = u0.add(u1).fma(dx, b);
        }
        a = a.add(a.rearrange(XOR_1));
        b = b.add(b.rearrange(XOR_1));
        a = a.add(a.rearrange(XOR_2));
        b = b.add(b.rearrange(XOR_2));
        a = a.add(a.rearrange(XOR_4));
        b = b.add(b.rearrange(XOR_4));
        a = a.add(a.rearrange(XOR_8));
        b = b.add(b.rearrange(XOR_8));
        out.set(F32, outAt, a.lane(0));
        out.set(F32, outAt + 4, b.lane(0));
    }

    private static VectorShuffle<Float> laneXor(int d) {
        int[] lanes = new int[F.length()];
        for (int l = 0; l < lanes.length; l++) {
            lanes[l] = l ^ d;
        }
        return VectorShuffle.fromArray(F, lanes, 0);
    }
}
