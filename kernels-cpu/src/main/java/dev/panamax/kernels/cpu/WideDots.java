package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector dots for 512-bit vectors (AVX-512): Q8_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K and
 * Q6_K weights, read in place (Q4_K and Q6_K decode through {@link PairDots}, 1.7x and 1.6-2.3x faster per matvec on
 * Zen 4; their float dots here stay tested, the form to measure it against on other machines),
 * meet the float activations directly. Sixteen weight bytes widen to sixteen int lanes and convert
 * to float in two instructions, so on 512-bit hardware this beats the 16-bit integer products of
 * {@link VectorDots} (which stay the path for narrower vectors).
 *
 * <p>Each kernel is one method whose vectors never cross a call: C2 inlines small helpers only
 * while their compiled code is small, and a vector passed to a method that was not inlined is
 * boxed on the heap (measured 5x to 20x slower).
 */
final class WideDots {
    /**
     * True where the preferred vectors are at least 512 bits wide: only then are these kernels used.
     * {@code -Dpanamax.cpu.narrow=true} turns them off, to test the narrow path on wide hardware.
     */
    static final boolean AVAILABLE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 && !Boolean.getBoolean("panamax.cpu.narrow");

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private WideDots() {
    }

    /** Sixteen bytes at {@code o}, sign-extended to int lanes. */
    private static IntVector bytes(MemorySegment w, long o) {
        return (IntVector) ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /**
     * Q8_0 weights (f16 d; i8 qs[32]) with {@code x[xo ...]}, per block {@code d * (q . x)}. The scale is looked up
     * ({@link HalfFloats}: two loads instead of three vector uops of conversion; 1.16x per product on Sapphire
     * Rapids, docs/benchmarks.md 2026-12-04), the same float as {@code Float.float16ToFloat} gives.
     */
    static float dotQ8_0(MemorySegment w, long at, float[] x, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long o = at + 34L * b;
            int xi = xo + 32 * b;
            FloatVector p = toFloat(bytes(w, o + 18)).fma(FloatVector.fromArray(F, x, xi + 16),
                    toFloat(bytes(w, o + 2)).mul(FloatVector.fromArray(F, x, xi)));
            acc = p.fma(FloatVector.broadcast(F, HalfFloats.TO_FLOAT[w.get(I16, o) & 0xFFFF]), acc);
        }
        return VectorMath.sum(acc);
    }

    /**
     * Q4_1 weights (f16 d, m; u8 qs[16]) with {@code x[xo ...]}: values {@code d q + m}, so per block
     * {@code d (q . x) + m sum(x)}; the {@code m} term is kept as a vector too (no scalar chain).
     */
    static float dotQ4_1(MemorySegment w, long at, float[] x, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F), offsets = acc;
        for (int b = 0; b < blocks; b++) {
            long o = at + 20L * b;
            int xi = xo + 32 * b;
            FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + 16);
            IntVector q = unsignedBytes(w, o + 4);
            FloatVector p = toFloat(q.lanewise(VectorOperators.LSHR, 4)).fma(x1, toFloat(q.and(0x0F)).mul(x0));
            acc = p.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o))), acc);
            offsets = x0.add(x1).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o + 2))), offsets);
        }
        return VectorMath.sum(acc.add(offsets));
    }

    /**
     * Q5_0 weights (f16 d; u32 qh; u8 qs[16]) with {@code x[xo ...]}: value l of a block takes its
     * fifth bit from bit l of qh (low nibbles: l < 16, high nibbles: l >= 16); values {@code q - 16}.
     */
    static float dotQ5_0(MemorySegment w, long at, float[] x, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long o = at + 22L * b;
            int xi = xo + 32 * b;
            IntVector q = unsignedBytes(w, o + 6);
            IntVector high = IntVector.broadcast(I, w.get(I32, o + 2));
            IntVector low = q.and(0x0F).or(high.lanewise(VectorOperators.LSHR, LANE).lanewise(VectorOperators.LSHL, 4).and(16)).sub(16);
            IntVector top = q.lanewise(VectorOperators.LSHR, 4).or(high.lanewise(VectorOperators.LSHR, LANE_16).lanewise(VectorOperators.LSHL, 4).and(16)).sub(16);
            FloatVector p = toFloat(top).fma(FloatVector.fromArray(F, x, xi + 16), toFloat(low).mul(FloatVector.fromArray(F, x, xi)));
            acc = p.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o))), acc);
        }
        return VectorMath.sum(acc);
    }

    /** Q5_1 weights (f16 d, m; u32 qh; u8 qs[16]): the bits of {@link #dotQ5_0}, values {@code d q + m} as in {@link #dotQ4_1}. */
    static float dotQ5_1(MemorySegment w, long at, float[] x, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F), offsets = acc;
        for (int b = 0; b < blocks; b++) {
            long o = at + 24L * b;
            int xi = xo + 32 * b;
            FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + 16);
            IntVector q = unsignedBytes(w, o + 8);
            IntVector high = IntVector.broadcast(I, w.get(I32, o + 4));
            IntVector low = q.and(0x0F).or(high.lanewise(VectorOperators.LSHR, LANE).lanewise(VectorOperators.LSHL, 4).and(16));
            IntVector top = q.lanewise(VectorOperators.LSHR, 4).or(high.lanewise(VectorOperators.LSHR, LANE_16).lanewise(VectorOperators.LSHL, 4).and(16));
            FloatVector p = toFloat(top).fma(x1, toFloat(low).mul(x0));
            acc = p.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o))), acc);
            offsets = x0.add(x1).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, o + 2))), offsets);
        }
        return VectorMath.sum(acc.add(offsets));
    }

    /** Lane numbers 0..15 and 16..31: per-lane shift counts that bring bit l of qh to the bottom of lane l. */
    private static final IntVector LANE = IntVector.fromArray(I, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);
    private static final IntVector LANE_16 = LANE.add(16);

    /**
     * Q4_K weights (f16 d, dmin; 12 bytes of scales; u8 qs[128]) with {@code x[xo ...]}:
     * {@code sum_j scale_j (q_j . x_j) - min_j sum(x_j)} over the 32-value sub-blocks j, the sub-block
     * sums of x from {@link #kBlockSums} (row {@code i} of x at {@code xsums[i k / 16 ...]}, so
     * {@code xo / 16}). Each block's scales and mins, {@code d * sc_0..7} then {@code dmin * m_0..7}, are
     * unpacked into {@code scalesAndMins[0 .. 16)}, a scratch array, in the same pass as its dot: a
     * separate pass over the row first cost 15-20% at model level. Each step reads 32 bytes: their low
     * nibbles are sub-block j, their high nibbles j + 1; a sub-block's two products are summed before its
     * scale is applied, one multiply fewer per 32 values.
     */
    static float dotQ4_K(MemorySegment w, long at, float[] scalesAndMins, float[] x, float[] xsums, int xo, int blocks) {
        // Vector API calls written out, not through this class's helpers: with the scale unpacking in the
        // loop the method passes C2's NodeCountInliningCutoff, and a helper left out of line boxes its vectors
        FloatVector a0 = FloatVector.zero(F), a1 = a0; // sub-blocks 2c and 2c + 1
        FloatVector m = a0;
        for (int b = 0; b < blocks; b++) {
            long block = at + 144L * b;
            kScalesAndMins(w, block, scalesAndMins);
            FloatVector scales = FloatVector.fromArray(F, scalesAndMins, 0);
            // the mins term: lanes 8..15 (mins) times the sub-block sums of x; lanes 0..7 (scales) meet zeros
            m = scales.fma(FloatVector.fromArray(F, xsums, xo / 16 + 16 * b), m);
            for (int c = 0; c < 4; c++) { // 64 values per step
                long o = block + 16 + 32 * c;
                int xc = xo + 256 * b + 64 * c;
                IntVector q0 = ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
                IntVector q1 = ByteVector.fromMemorySegment(B128, w, o + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
                FloatVector pLow = q1.and(0x0F).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xc + 16),
                        q0.and(0x0F).convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(FloatVector.fromArray(F, x, xc)));
                FloatVector pHigh = q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xc + 48),
                        q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(FloatVector.fromArray(F, x, xc + 32)));
                a0 = pLow.fma(FloatVector.broadcast(F, scalesAndMins[2 * c]), a0);
                a1 = pHigh.fma(FloatVector.broadcast(F, scalesAndMins[2 * c + 1]), a1);
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
     * Q5_K weights (f16 d, dmin; 12 bytes of scales; u8 qh[32]; u8 qs[128]) with {@code x[xo ...]}:
     * as {@link #dotQ4_K}, each value gaining its fifth bit, bit j of {@code qh[l]} for sub-block j and
     * position l; values are in [0, 31]. The block's scales and mins go to {@code scalesAndMins[0 .. 16)}
     * as in {@link #dotQ4_K}. The 32 bytes of qh are read once per block, already shifted so that bit j
     * lands on bit 4 after a right shift by j.
     */
    static float dotQ5_K(MemorySegment w, long at, float[] scalesAndMins, float[] x, float[] xsums, int xo, int blocks) {
        // Vector API calls written out, as in dotQ4_K: a helper left out of line would box its vectors
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        FloatVector m = a0;
        for (int b = 0; b < blocks; b++) {
            long block = at + 176L * b;
            kScalesAndMins(w, block, scalesAndMins);
            FloatVector scales = FloatVector.fromArray(F, scalesAndMins, 0);
            m = scales.fma(FloatVector.fromArray(F, xsums, xo / 16 + 16 * b), m);
            IntVector h0 = ByteVector.fromMemorySegment(B128, w, block + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)
                    .reinterpretAsInts().lanewise(VectorOperators.LSHL, 4);
            IntVector h1 = ByteVector.fromMemorySegment(B128, w, block + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)
                    .reinterpretAsInts().lanewise(VectorOperators.LSHL, 4);
            for (int j = 0; j < 8; j++) { // one 32-value sub-block per step
                long o = block + 48 + 32 * (j >>> 1);
                int xc = xo + 256 * b + 32 * j, nibble = 4 * (j & 1);
                float scale = scalesAndMins[j];
                IntVector q0 = ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts()
                        .lanewise(VectorOperators.LSHR, nibble).and(0x0F).or(h0.lanewise(VectorOperators.LSHR, j).and(16));
                IntVector q1 = ByteVector.fromMemorySegment(B128, w, o + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts()
                        .lanewise(VectorOperators.LSHR, nibble).and(0x0F).or(h1.lanewise(VectorOperators.LSHR, j).and(16));
                a0 = q0.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scale).fma(FloatVector.fromArray(F, x, xc), a0);
                a1 = q1.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scale).fma(FloatVector.fromArray(F, x, xc + 16), a1);
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
     * Q2_K weights (u8 scales[16]; u8 qs[64]; f16 d, dmin) with {@code x[xo ...]}: value
     * {@code 128h + 32j + 16part + l} (group {@code g = 8h + 2j + part}) is bits {@code 2j} of
     * {@code qs[32h + 16part + l]} and means {@code scale_g q - min_g}, {@code scale_g = d (scales[g] & 15)},
     * {@code min_g = dmin (scales[g] >> 4)}: unpacked per block in the same pass as its dot, the scales
     * into {@code scales[0 .. 16)}, a scratch array. {@code xsums} holds the sums of x over each
     * 16-value group ({@link #groupSums}, row i of x at {@code xsums[i k / 16 ...]}).
     */
    static float dotQ2_K(MemorySegment w, long at, float[] scales, float[] x, float[] xsums, int xo, int blocks) {
        // Vector API calls written out, as in dotQ4_K: a helper left out of line would box its vectors
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector m = a0;
        for (int b = 0; b < blocks; b++) {
            long block = at + 84L * b;
            IntVector packed = ByteVector.fromMemorySegment(B128, w, block, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
            packed.and(0x0F).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                    .mul(Float.float16ToFloat(w.get(I16, block + 80))).intoArray(scales, 0);
            FloatVector mins = packed.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                    .mul(Float.float16ToFloat(w.get(I16, block + 82)));
            m = mins.fma(FloatVector.fromArray(F, xsums, xo / 16 + 16 * b), m);
            for (int h = 0; h < 2; h++) {
                for (int part = 0; part < 2; part++) {
                    IntVector q = ByteVector.fromMemorySegment(B128, w, block + 16 + 32 * h + 16 * part, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
                    int xi = xo + 256 * b + 128 * h + 16 * part, g = 8 * h + part;
                    a0 = q.and(3).convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g])
                            .fma(FloatVector.fromArray(F, x, xi), a0);
                    a1 = q.lanewise(VectorOperators.LSHR, 2).and(3).convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 2])
                            .fma(FloatVector.fromArray(F, x, xi + 32), a1);
                    a2 = q.lanewise(VectorOperators.LSHR, 4).and(3).convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 4])
                            .fma(FloatVector.fromArray(F, x, xi + 64), a2);
                    a3 = q.lanewise(VectorOperators.LSHR, 6).convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 6])
                            .fma(FloatVector.fromArray(F, x, xi + 96), a3);
                }
            }
        }
        return VectorMath.sum(a0.add(a1).add(a2.add(a3))) - VectorMath.sum(m);
    }

    /** {@code sums[i] = sum of x[16 i ... 16 i + 15]} for the {@code n / 16} groups of {@code x[0 .. n)}. */
    static void groupSums(float[] x, int n, float[] sums) {
        for (int i = 0; i < n / 16; i++) {
            sums[i] = VectorMath.sum(FloatVector.fromArray(F, x, 16 * i));
        }
    }

    /**
     * Q3_K weights (u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d) with {@code x[xo ...]}. Each block's
     * group scales {@code d (sc_g - 32)} are unpacked into {@code scales[0 .. 16)}, a scratch array, in
     * the same pass as its dot: scale g has its low four bits in a nibble of {@code scales[g % 8]} (low
     * for g < 8) and its top two bits at bit {@code 2 (g / 4)} of {@code scales[8 + g % 4]}.
     * Value {@code 128h + 32j + 16part + l}
     * (group {@code g = 8h + 2j + part}) has its low two bits at bits {@code 2j} of
     * {@code qs[32h + 16part + l]} and its third bit at bit {@code 4h + j} of {@code hmask[16part + l]};
     * it means {@code low + 4 bit - 4}, in [-4, 3].
     */
    static float dotQ3_K(MemorySegment w, long at, float[] scales, float[] x, int xo, int blocks) {
        // Vector API calls written out, as in dotQ4_K: a helper left out of line would box its vectors
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = at + 110L * b;
            // bytes 94..109 of the block: lanes 2..13 are the 12 scale bytes (16 bytes from 96 would pass the block's end)
            IntVector packed = ByteVector.fromMemorySegment(B128, w, block + 94, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
            IntVector low = packed.rearrange(Q3_LOW_BYTE).lanewise(VectorOperators.LSHR, Q3_LOW_SHIFT).and(0x0F);
            IntVector high = packed.rearrange(Q3_HIGH_BYTE).lanewise(VectorOperators.LSHR, Q3_HIGH_SHIFT).and(3);
            low.or(high.lanewise(VectorOperators.LSHL, 4)).sub(32).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                    .mul(Float.float16ToFloat(w.get(I16, block + 108))).intoArray(scales, 0);
            for (int h = 0; h < 2; h++) {
                for (int part = 0; part < 2; part++) {
                    IntVector q = ByteVector.fromMemorySegment(B128, w, block + 32 + 32 * h + 16 * part, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
                    // bit 4h + j of hmask moved to bit 2 + j, so that a right shift by j puts it at bit 2
                    IntVector third = ByteVector.fromMemorySegment(B128, w, block + 16 * part, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)
                            .reinterpretAsInts().lanewise(VectorOperators.LSHR, 4 * h).lanewise(VectorOperators.LSHL, 2);
                    int xi = xo + 256 * b + 128 * h + 16 * part, g = 8 * h + part;
                    IntVector q0 = q.and(3).or(third.and(4)).sub(4);
                    IntVector q1 = q.lanewise(VectorOperators.LSHR, 2).and(3).or(third.lanewise(VectorOperators.LSHR, 1).and(4)).sub(4);
                    IntVector q2 = q.lanewise(VectorOperators.LSHR, 4).and(3).or(third.lanewise(VectorOperators.LSHR, 2).and(4)).sub(4);
                    IntVector q3 = q.lanewise(VectorOperators.LSHR, 6).or(third.lanewise(VectorOperators.LSHR, 3).and(4)).sub(4);
                    a0 = q0.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g]).fma(FloatVector.fromArray(F, x, xi), a0);
                    a1 = q1.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 2]).fma(FloatVector.fromArray(F, x, xi + 32), a1);
                    a2 = q2.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 4]).fma(FloatVector.fromArray(F, x, xi + 64), a2);
                    a3 = q3.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 6]).fma(FloatVector.fromArray(F, x, xi + 96), a3);
                }
            }
        }
        return VectorMath.sum(a0.add(a1).add(a2.add(a3)));
    }

    // Q3_K scale g: low four bits from byte 2 + g % 8 (a nibble), top two from byte 10 + g % 4 (two bits)
    private static final VectorShuffle<Integer> Q3_LOW_BYTE = VectorShuffle.fromValues(I, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9);
    private static final IntVector Q3_LOW_SHIFT = IntVector.fromArray(I, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4}, 0);
    private static final VectorShuffle<Integer> Q3_HIGH_BYTE = VectorShuffle.fromValues(I, 10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13);
    private static final IntVector Q3_HIGH_SHIFT = IntVector.fromArray(I, new int[] {0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6}, 0);

    /**
     * Q6_K weights (u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d) with {@code x[xo ...]}. Each block's
     * sixteen group scales {@code d * sc_g} are unpacked first, into {@code scales[0 .. 16)} (a scratch
     * array), in the same pass: a separate pass over the row's scales before the dot ran 1.5x slower at
     * model level, its reads of each block's tail meeting the cache misses the dot then waited on again.
     * Each step reads the 16 bytes of qh and the two 16-byte runs of ql that share them, and rebuilds
     * four 16-value groups: value {@code 128h + 32j + 16half + l} takes nibble {@code j / 2} of
     * {@code ql[64h + 32(j & 1) + 16half + l]} and bits {@code 2j, 2j + 1} of {@code qh[32h + 16half + l]}
     * as its high bits; q - 32 is in [-32, 31]. Bytes are zero-extended, so a right shift needs no mask.
     */
    static float dotQ6_K(MemorySegment w, long at, float[] scales, float[] x, int xo, int blocks) {
        // Vector API calls written out, not through this class's helpers: with the scale unpacking in the
        // loop the method passes C2's NodeCountInliningCutoff, a helper left out of line boxes its vectors
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = at + 210L * b;
            ByteVector.fromMemorySegment(B128, w, block + 192, LE).convertShape(VectorOperators.B2F, F, 0)
                    .reinterpretAsFloats().mul(Float.float16ToFloat(w.get(I16, block + 208))).intoArray(scales, 0);
            for (int h = 0; h < 2; h++) {
                for (int half = 0; half < 2; half++) {
                    long o = block + 64 * h + 16 * half;
                    IntVector low0 = ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
                    IntVector low1 = ByteVector.fromMemorySegment(B128, w, o + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
                    IntVector high = ByteVector.fromMemorySegment(B128, w, block + 128 + 32 * h + 16 * half, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
                    int xi = xo + 256 * b + 128 * h + 16 * half, g = 8 * h + half;
                    IntVector q0 = low0.and(0x0F).or(high.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32);
                    IntVector q1 = low1.and(0x0F).or(high.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32);
                    IntVector q2 = low0.lanewise(VectorOperators.LSHR, 4).or(high.and(0x30)).sub(32);
                    IntVector q3 = low1.lanewise(VectorOperators.LSHR, 4).or(high.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32);
                    a0 = q0.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g]).fma(FloatVector.fromArray(F, x, xi), a0);
                    a1 = q1.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 2]).fma(FloatVector.fromArray(F, x, xi + 32), a1);
                    a2 = q2.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 4]).fma(FloatVector.fromArray(F, x, xi + 64), a2);
                    a3 = q3.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(scales[g + 6]).fma(FloatVector.fromArray(F, x, xi + 96), a3);
                }
            }
        }
        // summed through the scratch array, in sum()'s order: in a kernel this big, a call of VectorMath.sum(v)
        // may not be inlined, and v was then boxed for every row (96 B per row under MatmulBench -prof gc)
        a0.add(a1).add(a2.add(a3)).intoArray(scales, 0);
        return VectorMath.sumStored(scales);
    }

    /** Sixteen bytes at {@code o}, zero-extended to int lanes. */
    private static IntVector unsignedBytes(MemorySegment w, long o) {
        return (IntVector) ByteVector.fromMemorySegment(B128, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /**
     * The 6-bit sub-block scales and mins of the Q4_K or Q5_K block at {@code block} (both start with
     * f16 d, dmin and the same 12 packed bytes, see {@link VectorDots#kPacked}) into {@code into[0 .. 16)}:
     * {@code d * sc_0..7}, then {@code dmin * m_0..7}. The 12 bytes are widened to 16 lanes and two
     * permutations put under each lane the byte holding its low bits and the one holding its top two
     * bits: sixteen values in about ten vector instructions, where scalar unpacking cost a third of
     * the dot. Its result goes through the array, so no vector crosses the call if C2 leaves it out of line.
     */
    static void kScalesAndMins(MemorySegment w, long block, float[] into) {
        kScalesAndMins(w, block, into, 0);
    }

    /** As {@link #kScalesAndMins(MemorySegment, long, float[])}, into {@code into[at .. at + 16)}. */
    static void kScalesAndMins(MemorySegment w, long block, float[] into, int at) {
        IntVector packed = ByteVector.fromMemorySegment(B128, w, block + 4, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).reinterpretAsInts();
        IntVector low = packed.rearrange(K_LOW_BYTE).lanewise(VectorOperators.LSHR, K_LOW_SHIFT).and(K_LOW_MASK);
        IntVector top = packed.rearrange(K_TOP_BYTE).lanewise(VectorOperators.LSHR, 2).and(K_TOP_MASK);
        FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, block)))
                .blend(Float.float16ToFloat(w.get(I16, block + 2)), MINS);
        low.or(top).convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(d).intoArray(into, at);
    }

    // Lanes 0..7 are scales j, 8..15 mins j. Sub-block j < 4: 6 bits of byte j (scale) or j + 4 (min).
    // j >= 4: low 4 bits from byte j + 4 (low nibble: scale, high: min), top 2 bits from the top of byte j - 4 / j.
    private static final VectorShuffle<Integer> K_LOW_BYTE = VectorShuffle.fromValues(I, 0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11);
    private static final IntVector K_LOW_SHIFT = IntVector.fromArray(I, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4}, 0);
    private static final IntVector K_LOW_MASK = IntVector.fromArray(I, new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
    private static final VectorShuffle<Integer> K_TOP_BYTE = VectorShuffle.fromValues(I, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 7);
    /** Bits 6, 7 of the top byte, shifted right by 2, are bits 4, 5 of the value; lanes j < 4 take none. */
    private static final IntVector K_TOP_MASK = IntVector.fromArray(I, new int[] {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30}, 0);
    private static final VectorMask<Float> MINS = VectorMask.fromLong(F, 0xFF00L);

    /**
     * The sums of {@code x[0 .. n)} over each 32-value sub-block, laid out as {@link #dotQ4_K} reads
     * them beside the scales and mins of a block: per 256 values, eight zeros then the eight sums
     * ({@code n / 16} floats in all).
     */
    static void kBlockSums(float[] x, int n, float[] sums) {
        for (int i = 0; i < n / 32; i++) {
            sums[16 * (i / 8) + i % 8] = 0f;
            sums[16 * (i / 8) + 8 + i % 8] = VectorMath.sum(FloatVector.fromArray(F, x, 32 * i).add(FloatVector.fromArray(F, x, 32 * i + 16)));
        }
    }
}
