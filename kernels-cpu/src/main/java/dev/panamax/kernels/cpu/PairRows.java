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
 * The few-rows path of {@link CpuMatmul} for Q4_K and Q6_K on 512-bit vectors (a decode step of 2 to
 * {@link FewRowsLoops#MAX_ROWS} sequences): {@link PairDots#dotQ4_K}'s integer pair products, with each weight
 * block's scales and mins ({@link WideDots#kScalesAndMins}) and its codes (zero-extended, split into nibbles)
 * unpacked once and multiplied against the pairs of four, two or one rows of x ({@link QuantizedActivations},
 * every row quantized once per matmul). The float path ({@link FewRowsLoops}) decodes every weight to float
 * and then pays an FMA per weight and row; here a further row costs one multiply, one conversion and one FMA
 * per 32 weights. Q6_K ({@link #q6_K}) likewise shares each block's codes and its scales' eight permutations
 * between the rows.
 *
 * <p>Each row gets exactly the operations of {@link PairDots#dotQ4_K} (or {@link PairDots#dotQ6_K}), in its order (the integer products are
 * exact, the float accumulators the same): a row's result is bit for bit its one-row dot, whatever the number
 * of rows in the step. As there, the Vector API calls are written out and no vector crosses a call.
 */
final class PairRows {
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

    private PairRows() {
    }

    /**
     * Whether {@link CpuMatmul} takes this path for {@code rows} rows of x of {@code type}: Q4_K or Q6_K on 512-bit vectors,
     * 2 to {@link FewRowsLoops#MAX_ROWS} rows (one row is the matrix-vector dot this path repeats).
     */
    static boolean takes(dev.panamax.tensor.DType type, int rows) {
        return WideDots.AVAILABLE && (type == dev.panamax.tensor.DType.Q4_K || type == dev.panamax.tensor.DType.Q6_K)
                && rows >= 2 && rows <= FewRowsLoops.MAX_ROWS;
    }

    /**
     * Weight rows {@code [start, end)} of {@code out[i, n] = w[n] . x[i]} for every row i of x, x quantized in
     * {@code a} (Q8_K: {@code a.quantize(x, m, k, 256)}): four rows at a time, then a pair, then one.
     *
     * @param scalesAndMins 16 floats of scratch
     * @param sums          at least 4 floats of scratch
     */
    static void q4_K(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scalesAndMins, float[] sums,
            MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k(), blocks = k / 256;
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                dotQ4_K4(w, at, scalesAndMins, a.pairs, a.d, a.kSums, i * k, k, blocks, sums);
                for (int r = 0; r < 4; r++) {
                    out.set(F32, s.outRow(i + r) + 4L * n, sums[r]);
                }
            }
            if (i + 2 <= m) {
                dotQ4_K2(w, at, scalesAndMins, a.pairs, a.d, a.kSums, i * k, k, blocks, sums);
                out.set(F32, s.outRow(i) + 4L * n, sums[0]);
                out.set(F32, s.outRow(i + 1) + 4L * n, sums[1]);
                i += 2;
            }
            if (i < m) {
                out.set(F32, s.outRow(i) + 4L * n, PairDots.dotQ4_K(w, at, scalesAndMins, a.pairs, a.d, a.kSums, i * k, blocks));
            }
        }
    }

    /**
     * {@code sums[r] = } {@link PairDots#dotQ4_K} of the weight row at {@code at} with rows {@code r < 4} of x, which
     * start at elements {@code xo + r k}.
     */
    static void dotQ4_K4(MemorySegment w, long at, float[] scalesAndMins, int[] xpairs, float[] xd, float[] xsums,
            int xo, int k, int blocks, float[] sums) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, m0 = a00;
        FloatVector a10 = a00, a11 = a00, m1 = a00;
        FloatVector a20 = a00, a21 = a00, m2 = a00;
        FloatVector a30 = a00, a31 = a00, m3 = a00;
        int xo1 = xo + k, xo2 = xo + 2 * k, xo3 = xo + 3 * k;
        for (int b = 0; b < blocks; b++) {
            long block = at + 144L * b;
            WideDots.kScalesAndMins(w, block, scalesAndMins);
            FloatVector sm = FloatVector.fromArray(F, scalesAndMins, 0);
            m0 = sm.fma(FloatVector.fromArray(F, xsums, xo / 16 + 16 * b), m0);
            m1 = sm.fma(FloatVector.fromArray(F, xsums, xo1 / 16 + 16 * b), m1);
            m2 = sm.fma(FloatVector.fromArray(F, xsums, xo2 / 16 + 16 * b), m2);
            m3 = sm.fma(FloatVector.fromArray(F, xsums, xo3 / 16 + 16 * b), m3);
            float unit0 = xd[xo / 256 + b] * UPPER, unit1 = xd[xo1 / 256 + b] * UPPER;
            float unit2 = xd[xo2 / 256 + b] * UPPER, unit3 = xd[xo3 / 256 + b] * UPPER;
            for (int c = 0; c < 4; c++) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, block + 16 + 32 * c, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                IntVector lo = q.and((short) 0x0F).reinterpretAsInts();
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts();
                float sl = scalesAndMins[2 * c], sh = scalesAndMins[2 * c + 1];
                int xi = 128 * b + 32 * c;
                int x0 = xo / 2 + xi, x1 = xo1 / 2 + xi, x2 = xo2 / 2 + xi, x3 = xo3 / 2 + xi;
                a00 = lo.mul(IntVector.fromArray(I, xpairs, x0)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit0 * sl), a00);
                a01 = hi.mul(IntVector.fromArray(I, xpairs, x0 + 16)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit0 * sh), a01);
                a10 = lo.mul(IntVector.fromArray(I, xpairs, x1)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit1 * sl), a10);
                a11 = hi.mul(IntVector.fromArray(I, xpairs, x1 + 16)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit1 * sh), a11);
                a20 = lo.mul(IntVector.fromArray(I, xpairs, x2)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit2 * sl), a20);
                a21 = hi.mul(IntVector.fromArray(I, xpairs, x2 + 16)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit2 * sh), a21);
                a30 = lo.mul(IntVector.fromArray(I, xpairs, x3)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit3 * sl), a30);
                a31 = hi.mul(IntVector.fromArray(I, xpairs, x3 + 16)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit3 * sh), a31);
            }
        }
        // summed in registers in VectorMath.sumStored's pairwise order (lane i takes lane i ^ d, as TwoRowPairDots),
        // bit for bit the one-row dot's sum, without sumStored's call, store and sixteen dependent loads and adds per row
        FloatVector s0 = a00.add(a01);
        FloatVector s1 = a10.add(a11);
        FloatVector s2 = a20.add(a21);
        FloatVector s3 = a30.add(a31);
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_1));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_1));
        s2 = s2.add(s2.rearrange(TwoRowPairDots.XOR_1));
        s3 = s3.add(s3.rearrange(TwoRowPairDots.XOR_1));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_1));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_1));
        m2 = m2.add(m2.rearrange(TwoRowPairDots.XOR_1));
        m3 = m3.add(m3.rearrange(TwoRowPairDots.XOR_1));
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_2));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_2));
        s2 = s2.add(s2.rearrange(TwoRowPairDots.XOR_2));
        s3 = s3.add(s3.rearrange(TwoRowPairDots.XOR_2));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_2));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_2));
        m2 = m2.add(m2.rearrange(TwoRowPairDots.XOR_2));
        m3 = m3.add(m3.rearrange(TwoRowPairDots.XOR_2));
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_4));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_4));
        s2 = s2.add(s2.rearrange(TwoRowPairDots.XOR_4));
        s3 = s3.add(s3.rearrange(TwoRowPairDots.XOR_4));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_4));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_4));
        m2 = m2.add(m2.rearrange(TwoRowPairDots.XOR_4));
        m3 = m3.add(m3.rearrange(TwoRowPairDots.XOR_4));
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_8));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_8));
        s2 = s2.add(s2.rearrange(TwoRowPairDots.XOR_8));
        s3 = s3.add(s3.rearrange(TwoRowPairDots.XOR_8));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_8));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_8));
        m2 = m2.add(m2.rearrange(TwoRowPairDots.XOR_8));
        m3 = m3.add(m3.rearrange(TwoRowPairDots.XOR_8));
        sums[0] = s0.lane(0) - m0.lane(0);
        sums[1] = s1.lane(0) - m1.lane(0);
        sums[2] = s2.lane(0) - m2.lane(0);
        sums[3] = s3.lane(0) - m3.lane(0);
    }

    /** As {@link #dotQ4_K4} for the two rows of x that start at elements {@code xo} and {@code xo + k}. */
    static void dotQ4_K2(MemorySegment w, long at, float[] scalesAndMins, int[] xpairs, float[] xd, float[] xsums,
            int xo, int k, int blocks, float[] sums) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, m0 = a00;
        FloatVector a10 = a00, a11 = a00, m1 = a00;
        int xo1 = xo + k;
        for (int b = 0; b < blocks; b++) {
            long block = at + 144L * b;
            WideDots.kScalesAndMins(w, block, scalesAndMins);
            FloatVector sm = FloatVector.fromArray(F, scalesAndMins, 0);
            m0 = sm.fma(FloatVector.fromArray(F, xsums, xo / 16 + 16 * b), m0);
            m1 = sm.fma(FloatVector.fromArray(F, xsums, xo1 / 16 + 16 * b), m1);
            float unit0 = xd[xo / 256 + b] * UPPER, unit1 = xd[xo1 / 256 + b] * UPPER;
            for (int c = 0; c < 4; c++) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, block + 16 + 32 * c, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                IntVector lo = q.and((short) 0x0F).reinterpretAsInts();
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts();
                float sl = scalesAndMins[2 * c], sh = scalesAndMins[2 * c + 1];
                int xi = 128 * b + 32 * c;
                int x0 = xo / 2 + xi, x1 = xo1 / 2 + xi;
                a00 = lo.mul(IntVector.fromArray(I, xpairs, x0)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit0 * sl), a00);
                a01 = hi.mul(IntVector.fromArray(I, xpairs, x0 + 16)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit0 * sh), a01);
                a10 = lo.mul(IntVector.fromArray(I, xpairs, x1)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit1 * sl), a10);
                a11 = hi.mul(IntVector.fromArray(I, xpairs, x1 + 16)).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                        .fma(FloatVector.broadcast(F, unit1 * sh), a11);
            }
        }
        // summed in registers in VectorMath.sumStored's pairwise order (lane i takes lane i ^ d, as TwoRowPairDots),
        // bit for bit the one-row dot's sum, without sumStored's call, store and sixteen dependent loads and adds per row
        FloatVector s0 = a00.add(a01);
        FloatVector s1 = a10.add(a11);
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_1));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_1));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_1));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_1));
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_2));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_2));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_2));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_2));
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_4));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_4));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_4));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_4));
        s0 = s0.add(s0.rearrange(TwoRowPairDots.XOR_8));
        s1 = s1.add(s1.rearrange(TwoRowPairDots.XOR_8));
        m0 = m0.add(m0.rearrange(TwoRowPairDots.XOR_8));
        m1 = m1.add(m1.rearrange(TwoRowPairDots.XOR_8));
        sums[0] = s0.lane(0) - m0.lane(0);
        sums[1] = s1.lane(0) - m1.lane(0);
    }

    /**
     * As {@link #q4_K} for Q6_K weights ({@link PairDots#dotQ6_K}, x quantized to Q8_K with its group sums): four rows
     * at a time, then a pair, then one, each bit for bit its one-row dot.
     *
     * @param scratch 16 floats of scratch
     * @param sums    at least 4 floats of scratch
     */
    static void q6_K(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scratch, float[] sums,
            MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k(), blocks = k / 256;
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                dotQ6_K4(w, at, scratch, a.pairs, a.d, a.groupSums, i * k, k, blocks, sums);
                for (int r = 0; r < 4; r++) {
                    out.set(F32, s.outRow(i + r) + 4L * n, sums[r]);
                }
            }
            if (i + 2 <= m) {
                dotQ6_K2(w, at, scratch, a.pairs, a.d, a.groupSums, i * k, k, blocks, sums);
                out.set(F32, s.outRow(i) + 4L * n, sums[0]);
                out.set(F32, s.outRow(i + 1) + 4L * n, sums[1]);
                i += 2;
            }
            if (i < m) {
                out.set(F32, s.outRow(i) + 4L * n, PairDots.dotQ6_K(w, at, scratch, a.pairs, a.d, a.groupSums, i * k, blocks));
            }
        }
    }

    /**
     * {@code sums[r] = } {@link PairDots#dotQ6_K} of the weight row at {@code at} with rows {@code r < 4} of x, which
     * start at elements {@code xo + r k}: each block's scales, their eight permutations and its codes are made once for
     * the four rows.
     */
    static void dotQ6_K4(MemorySegment w, long at, float[] scratch, int[] xpairs, float[] xd, float[] xgroupSums,
            int xo, int k, int blocks, float[] sums) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int xo1 = xo + k, xo2 = xo + 2 * k, xo3 = xo + 3 * k;
        for (int b = 0; b < blocks; b++) {
            long block = at + 210L * b;
            FloatVector sc = ByteVector.fromMemorySegment(B128, w, block + 192, LE).convertShape(VectorOperators.B2F, F, 0)
                    .reinterpretAsFloats().mul(Float.float16ToFloat(w.get(I16, block + 208)) * UPPER);
            FloatVector zero = FloatVector.zero(F);
            FloatVector t00 = sc.mul(FloatVector.fromArray(F, xgroupSums, xo / 16 + 16 * b)), t01 = zero;
            FloatVector t10 = sc.mul(FloatVector.fromArray(F, xgroupSums, xo1 / 16 + 16 * b)), t11 = zero;
            FloatVector t20 = sc.mul(FloatVector.fromArray(F, xgroupSums, xo2 / 16 + 16 * b)), t21 = zero;
            FloatVector t30 = sc.mul(FloatVector.fromArray(F, xgroupSums, xo3 / 16 + 16 * b)), t31 = zero;
            for (int h = 0; h < 2; h++) {
                IntVector low0 = ByteVector.fromMemorySegment(B256, w, block + 64 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector low1 = ByteVector.fromMemorySegment(B256, w, block + 64 * h + 32, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector high = ByteVector.fromMemorySegment(B256, w, block + 128 + 32 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                // each j's codes and scales made just before its rows, so fewer vectors are live at once
                int xi = 128 * b + 64 * h;
                int x0 = xo / 2 + xi, x1 = xo1 / 2 + xi, x2 = xo2 / 2 + xi, x3 = xo3 / 2 + xi;
                IntVector q0 = low0.and(PairDots.NIBBLES).or(high.lanewise(VectorOperators.LSHL, 4).and(PairDots.TOP_BITS));
                FloatVector s0 = sc.rearrange(h == 0 ? PairDots.PAIR_0 : PairDots.PAIR_8);
                t00 = q0.mul(IntVector.fromArray(I, xpairs, x0))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s0, t00);
                t10 = q0.mul(IntVector.fromArray(I, xpairs, x1))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s0, t10);
                t20 = q0.mul(IntVector.fromArray(I, xpairs, x2))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s0, t20);
                t30 = q0.mul(IntVector.fromArray(I, xpairs, x3))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s0, t30);
                IntVector q1 = low1.and(PairDots.NIBBLES).or(high.lanewise(VectorOperators.LSHL, 2).and(PairDots.TOP_BITS));
                FloatVector s1 = sc.rearrange(h == 0 ? PairDots.PAIR_2 : PairDots.PAIR_10);
                t01 = q1.mul(IntVector.fromArray(I, xpairs, x0 + 16))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s1, t01);
                t11 = q1.mul(IntVector.fromArray(I, xpairs, x1 + 16))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s1, t11);
                t21 = q1.mul(IntVector.fromArray(I, xpairs, x2 + 16))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s1, t21);
                t31 = q1.mul(IntVector.fromArray(I, xpairs, x3 + 16))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s1, t31);
                IntVector q2 = low0.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES).or(high.and(PairDots.TOP_BITS));
                FloatVector s2 = sc.rearrange(h == 0 ? PairDots.PAIR_4 : PairDots.PAIR_12);
                t00 = q2.mul(IntVector.fromArray(I, xpairs, x0 + 32))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s2, t00);
                t10 = q2.mul(IntVector.fromArray(I, xpairs, x1 + 32))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s2, t10);
                t20 = q2.mul(IntVector.fromArray(I, xpairs, x2 + 32))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s2, t20);
                t30 = q2.mul(IntVector.fromArray(I, xpairs, x3 + 32))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s2, t30);
                IntVector q3 = low1.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES)
                        .or(high.lanewise(VectorOperators.LSHR, 2).and(PairDots.TOP_BITS));
                FloatVector s3 = sc.rearrange(h == 0 ? PairDots.PAIR_6 : PairDots.PAIR_14);
                t01 = q3.mul(IntVector.fromArray(I, xpairs, x0 + 48))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s3, t01);
                t11 = q3.mul(IntVector.fromArray(I, xpairs, x1 + 48))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s3, t11);
                t21 = q3.mul(IntVector.fromArray(I, xpairs, x2 + 48))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s3, t21);
                t31 = q3.mul(IntVector.fromArray(I, xpairs, x3 + 48))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s3, t31);
            }
            a0 = t00.add(t01).fma(FloatVector.broadcast(F, xd[xo / 256 + b]), a0);
            a1 = t10.add(t11).fma(FloatVector.broadcast(F, xd[xo1 / 256 + b]), a1);
            a2 = t20.add(t21).fma(FloatVector.broadcast(F, xd[xo2 / 256 + b]), a2);
            a3 = t30.add(t31).fma(FloatVector.broadcast(F, xd[xo3 / 256 + b]), a3);
        }
        // summed in registers in VectorMath.sumStored's pairwise order (lane i takes lane i ^ d, as TwoRowPairDots),
        // bit for bit the one-row dot's sum, without sumStored's call, store and sixteen dependent loads and adds per row
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_1));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_1));
        a2 = a2.add(a2.rearrange(TwoRowPairDots.XOR_1));
        a3 = a3.add(a3.rearrange(TwoRowPairDots.XOR_1));
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_2));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_2));
        a2 = a2.add(a2.rearrange(TwoRowPairDots.XOR_2));
        a3 = a3.add(a3.rearrange(TwoRowPairDots.XOR_2));
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_4));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_4));
        a2 = a2.add(a2.rearrange(TwoRowPairDots.XOR_4));
        a3 = a3.add(a3.rearrange(TwoRowPairDots.XOR_4));
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_8));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_8));
        a2 = a2.add(a2.rearrange(TwoRowPairDots.XOR_8));
        a3 = a3.add(a3.rearrange(TwoRowPairDots.XOR_8));
        sums[0] = a0.lane(0);
        sums[1] = a1.lane(0);
        sums[2] = a2.lane(0);
        sums[3] = a3.lane(0);
    }

    /** As {@link #dotQ6_K4} for the two rows of x that start at elements {@code xo} and {@code xo + k}. */
    static void dotQ6_K2(MemorySegment w, long at, float[] scratch, int[] xpairs, float[] xd, float[] xgroupSums,
            int xo, int k, int blocks, float[] sums) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        int xo1 = xo + k;
        for (int b = 0; b < blocks; b++) {
            long block = at + 210L * b;
            FloatVector sc = ByteVector.fromMemorySegment(B128, w, block + 192, LE).convertShape(VectorOperators.B2F, F, 0)
                    .reinterpretAsFloats().mul(Float.float16ToFloat(w.get(I16, block + 208)) * UPPER);
            FloatVector zero = FloatVector.zero(F);
            FloatVector t00 = sc.mul(FloatVector.fromArray(F, xgroupSums, xo / 16 + 16 * b)), t01 = zero;
            FloatVector t10 = sc.mul(FloatVector.fromArray(F, xgroupSums, xo1 / 16 + 16 * b)), t11 = zero;
            for (int h = 0; h < 2; h++) {
                IntVector low0 = ByteVector.fromMemorySegment(B256, w, block + 64 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector low1 = ByteVector.fromMemorySegment(B256, w, block + 64 * h + 32, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                IntVector high = ByteVector.fromMemorySegment(B256, w, block + 128 + 32 * h, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0).reinterpretAsInts();
                // each j's codes and scales made just before its rows, so fewer vectors are live at once
                int xi = 128 * b + 64 * h;
                int x0 = xo / 2 + xi, x1 = xo1 / 2 + xi;
                IntVector q0 = low0.and(PairDots.NIBBLES).or(high.lanewise(VectorOperators.LSHL, 4).and(PairDots.TOP_BITS));
                FloatVector s0 = sc.rearrange(h == 0 ? PairDots.PAIR_0 : PairDots.PAIR_8);
                t00 = q0.mul(IntVector.fromArray(I, xpairs, x0))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s0, t00);
                t10 = q0.mul(IntVector.fromArray(I, xpairs, x1))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s0, t10);
                IntVector q1 = low1.and(PairDots.NIBBLES).or(high.lanewise(VectorOperators.LSHL, 2).and(PairDots.TOP_BITS));
                FloatVector s1 = sc.rearrange(h == 0 ? PairDots.PAIR_2 : PairDots.PAIR_10);
                t01 = q1.mul(IntVector.fromArray(I, xpairs, x0 + 16))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s1, t01);
                t11 = q1.mul(IntVector.fromArray(I, xpairs, x1 + 16))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s1, t11);
                IntVector q2 = low0.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES).or(high.and(PairDots.TOP_BITS));
                FloatVector s2 = sc.rearrange(h == 0 ? PairDots.PAIR_4 : PairDots.PAIR_12);
                t00 = q2.mul(IntVector.fromArray(I, xpairs, x0 + 32))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s2, t00);
                t10 = q2.mul(IntVector.fromArray(I, xpairs, x1 + 32))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s2, t10);
                IntVector q3 = low1.lanewise(VectorOperators.LSHR, 4).and(PairDots.NIBBLES)
                        .or(high.lanewise(VectorOperators.LSHR, 2).and(PairDots.TOP_BITS));
                FloatVector s3 = sc.rearrange(h == 0 ? PairDots.PAIR_6 : PairDots.PAIR_14);
                t01 = q3.mul(IntVector.fromArray(I, xpairs, x0 + 48))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s3, t01);
                t11 = q3.mul(IntVector.fromArray(I, xpairs, x1 + 48))
                        .convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(s3, t11);
            }
            a0 = t00.add(t01).fma(FloatVector.broadcast(F, xd[xo / 256 + b]), a0);
            a1 = t10.add(t11).fma(FloatVector.broadcast(F, xd[xo1 / 256 + b]), a1);
        }
        // summed in registers in VectorMath.sumStored's pairwise order (lane i takes lane i ^ d, as TwoRowPairDots),
        // bit for bit the one-row dot's sum, without sumStored's call, store and sixteen dependent loads and adds per row
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_1));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_1));
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_2));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_2));
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_4));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_4));
        a0 = a0.add(a0.rearrange(TwoRowPairDots.XOR_8));
        a1 = a1.add(a1.rearrange(TwoRowPairDots.XOR_8));
        sums[0] = a0.lane(0);
        sums[1] = a1.lane(0);
    }
}
