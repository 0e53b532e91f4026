package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API decoding of the weight types prefill and MLA's absorbed decode ({@link HeadMatmul}) meet (Q8_0, Q4_0,
 * Q5_0, Q5_1, Q4_K, Q5_K, Q6_K; MXFP4 in
 * {@link Mxfp4Dots}) to floats, for GEMM panels: {@link #L} bytes at a time widened to {@link #L} floats and scaled, sixteen where
 * {@link WideDots#AVAILABLE} (512-bit floats), else eight. Gives the same values as {@link WeightDecoder}
 * (same operations per value, in float), which {@code VectorDecoderTest} checks bit for bit.
 */
final class VectorDecoder {
    private static final VectorSpecies<Float> F = WideDots.AVAILABLE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** Floats per vector, and bytes widened per step. */
    private static final int L = F.length();
    private static final VectorSpecies<Byte> B = WideDots.AVAILABLE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** Int lanes as many as {@link #F}'s floats. */
    private static final VectorSpecies<Integer> I = WideDots.AVAILABLE ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    /** 0, 1, ..., L - 1: each lane's bit of qh. */
    private static final IntVector LANES = IntVector.zero(I).addIndex(1);

    private VectorDecoder() {
    }

    /** Decodes like {@link WeightDecoder#decode} and returns true, or returns false if {@code type} has no vector decoder. */
    static boolean decode(DType type, MemorySegment src, long at, float[] dst, int n) {
        return decode(type, src, at, dst, 0, n);
    }

    /**
     * Like {@link #decode(DType, MemorySegment, long, float[], int)}, into {@code dst[dstOffset ...]}. {@code n} is a
     * whole number of blocks, but for Q4_K, whose sub-blocks of 32 decode alone.
     */
    static boolean decode(DType type, MemorySegment src, long at, float[] dst, int dstOffset, int n) {
        switch (type) {
            case Q8_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    q8_0(src, at + 34L * b, dst, dstOffset + 32 * b);
                }
                return true;
            }
            case Q4_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    q4_0(src, at + 18L * b, dst, dstOffset + 32 * b);
                }
                return true;
            }
            case Q5_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    q5_0(src, at + 22L * b, dst, dstOffset + 32 * b);
                }
                return true;
            }
            case Q5_1 -> {
                for (int b = 0; b < n / 32; b++) {
                    q5_1(src, at + 24L * b, dst, dstOffset + 32 * b);
                }
                return true;
            }
            case Q4_K -> {
                for (int sub = 0; sub < n / 32; sub++) {
                    q4KSubBlock(src, at + 144L * (sub >>> 3), sub & 7, dst, dstOffset + 32 * sub);
                }
                return true;
            }
            case Q5_K -> {
                for (int sub = 0; sub < n / 32; sub++) {
                    q5KSubBlock(src, at + 176L * (sub >>> 3), sub & 7, dst, dstOffset + 32 * sub);
                }
                return true;
            }
            case Q6_K -> {
                for (int b = 0; b < n / 256; b++) {
                    for (int part = 0; part < 8; part++) {
                        q6KPart(src, at + 210L * b, part, dst, dstOffset + 256 * b + 32 * part);
                    }
                }
                return true;
            }
            case MXFP4 -> {
                Mxfp4Dots.decode(src, at, dst, dstOffset, n / 32);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static void q8_0(MemorySegment s, long o, float[] dst, int out) {
        FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(s.get(I16, o)));
        for (int i = 0; i < 32; i += L) {
            ((FloatVector) ByteVector.fromMemorySegment(B, s, o + 2 + i, LE).convertShape(VectorOperators.B2F, F, 0))
                    .mul(d).intoArray(dst, out + i);
        }
    }

    /** Low nibbles are values 0..15, high nibbles 16..31: {@code d (q - 8)}, the offset taken in bytes. */
    private static void q4_0(MemorySegment s, long o, float[] dst, int out) {
        FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(s.get(I16, o)));
        for (int i = 0; i < 16; i += L) {
            ByteVector q = ByteVector.fromMemorySegment(B, s, o + 2 + i, LE);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, out + i);
            ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, out + 16 + i);
        }
    }

    /**
     * Q5_0 (f16 d; u32 qh; u8 qs[16]): value l takes its fifth bit from bit l of qh, low nibbles l < 16 and high
     * nibbles l >= 16; {@code d (q - 16)} as {@link WeightDecoder} computes it (the int {@code q - 16} converted,
     * then one multiply). In int lanes: the qh bits by a variable shift per lane.
     */
    private static void q5_0(MemorySegment s, long o, float[] dst, int out) {
        FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(s.get(I16, o)));
        IntVector qh = IntVector.broadcast(I, s.get(I32, o + 2));
        for (int i = 0; i < 16; i += L) {
            IntVector q = ((IntVector) ByteVector.fromMemorySegment(B, s, o + 6 + i, LE).convertShape(VectorOperators.B2I, I, 0)).and(0xFF);
            IntVector shift = LANES.add(i);
            IntVector lo = q.and(0x0F).or(qh.lanewise(VectorOperators.LSHR, shift).and(1).lanewise(VectorOperators.LSHL, 4)).sub(16);
            IntVector hi = q.lanewise(VectorOperators.LSHR, 4)
                    .or(qh.lanewise(VectorOperators.LSHR, shift.add(16)).and(1).lanewise(VectorOperators.LSHL, 4)).sub(16);
            ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, out + i);
            ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, out + 16 + i);
        }
    }

    /** Q5_1 (f16 d, m; u32 qh; u8 qs[16]): Q5_0's bits, values {@code d q + m} as {@link WeightDecoder} computes them. */
    private static void q5_1(MemorySegment s, long o, float[] dst, int out) {
        FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(s.get(I16, o)));
        FloatVector m = FloatVector.broadcast(F, Float.float16ToFloat(s.get(I16, o + 2)));
        IntVector qh = IntVector.broadcast(I, s.get(I32, o + 4));
        for (int i = 0; i < 16; i += L) {
            IntVector q = ((IntVector) ByteVector.fromMemorySegment(B, s, o + 8 + i, LE).convertShape(VectorOperators.B2I, I, 0)).and(0xFF);
            IntVector shift = LANES.add(i);
            IntVector lo = q.and(0x0F).or(qh.lanewise(VectorOperators.LSHR, shift).and(1).lanewise(VectorOperators.LSHL, 4));
            IntVector hi = q.lanewise(VectorOperators.LSHR, 4)
                    .or(qh.lanewise(VectorOperators.LSHR, shift.add(16)).and(1).lanewise(VectorOperators.LSHL, 4));
            ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d).add(m).intoArray(dst, out + i);
            ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d).add(m).intoArray(dst, out + 16 + i);
        }
    }

    /** Sub-block j (32 values) of the Q4_K block at {@code o}: {@code d sc_j q - dmin m_j}. */
    private static void q4KSubBlock(MemorySegment s, long o, int j, float[] dst, int out) {
        float dl = Float.float16ToFloat(s.get(I16, o)) * WeightDecoder.kScale(s, o + 4, j);
        float ml = Float.float16ToFloat(s.get(I16, o + 2)) * WeightDecoder.kMin(s, o + 4, j);
        FloatVector scale = FloatVector.broadcast(F, dl), min = FloatVector.broadcast(F, ml);
        long qs = o + 16 + 32 * (j >>> 1);
        int shift = 4 * (j & 1);
        for (int i = 0; i < 32; i += L) {
            ByteVector q = ByteVector.fromMemorySegment(B, s, qs + i, LE).lanewise(VectorOperators.LSHR, shift).and((byte) 0x0F);
            ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(scale).sub(min).intoArray(dst, out + i);
        }
    }

    /** Sub-block j of the Q5_K block at {@code o}: Q4_K's nibble plus bit j of {@code qh[l]} as the 5th bit. */
    private static void q5KSubBlock(MemorySegment s, long o, int j, float[] dst, int out) {
        float dl = Float.float16ToFloat(s.get(I16, o)) * WeightDecoder.kScale(s, o + 4, j);
        float ml = Float.float16ToFloat(s.get(I16, o + 2)) * WeightDecoder.kMin(s, o + 4, j);
        FloatVector scale = FloatVector.broadcast(F, dl), min = FloatVector.broadcast(F, ml);
        long qs = o + 48 + 32 * (j >>> 1);
        int shift = 4 * (j & 1);
        for (int i = 0; i < 32; i += L) {
            ByteVector low = ByteVector.fromMemorySegment(B, s, qs + i, LE).lanewise(VectorOperators.LSHR, shift).and((byte) 0x0F);
            ByteVector high = ByteVector.fromMemorySegment(B, s, o + 16 + i, LE).lanewise(VectorOperators.LSHR, j).and((byte) 1)
                    .lanewise(VectorOperators.LSHL, 4);
            ((FloatVector) low.or(high).convertShape(VectorOperators.B2F, F, 0)).mul(scale).sub(min).intoArray(dst, out + i);
        }
    }

    /**
     * Values {@code 32 part ... 32 part + 31} of the Q6_K block at {@code o} (part = 4h + j in
     * {@link WeightDecoder}'s terms): {@code d sc (q - 32)}, the scale changing every 16 values.
     */
    private static void q6KPart(MemorySegment s, long o, int part, float[] dst, int out) {
        int h = part >>> 2, j = part & 3;
        float d = Float.float16ToFloat(s.get(I16, o + 208));
        long ql = o + 64 * h + 32 * (j & 1), qh = o + 128 + 32 * h;
        int lowShift = j < 2 ? 0 : 4, highShift = 2 * j;
        for (int i = 0; i < 32; i += L) {
            FloatVector scale = FloatVector.broadcast(F, d * s.get(ValueLayout.JAVA_BYTE, o + 192 + 8 * h + 2 * j + i / 16));
            ByteVector low = ByteVector.fromMemorySegment(B, s, ql + i, LE).lanewise(VectorOperators.LSHR, lowShift).and((byte) 0x0F);
            ByteVector high = ByteVector.fromMemorySegment(B, s, qh + i, LE).lanewise(VectorOperators.LSHR, highShift).and((byte) 3)
                    .lanewise(VectorOperators.LSHL, 4);
            ((FloatVector) low.or(high).sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(scale).intoArray(dst, out + i);
        }
    }
}
