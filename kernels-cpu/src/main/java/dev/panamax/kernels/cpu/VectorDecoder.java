package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API decoding of the commonest weight types (Q8_0, Q4_0, Q4_K; MXFP4 in {@link Mxfp4Dots}) to
 * floats, for packing GEMM panels: eight bytes at a time widened to eight floats and scaled. Gives the same values as
 * {@link WeightDecoder} (same operations per value, in float).
 */
final class VectorDecoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private VectorDecoder() {
    }

    /** Decodes like {@link WeightDecoder#decode} and returns true, or returns false if {@code type} has no vector decoder. */
    static boolean decode(DType type, MemorySegment src, long at, float[] dst, int n) {
        return decode(type, src, at, dst, 0, n);
    }

    /** Like {@link #decode(DType, MemorySegment, long, float[], int)}, into {@code dst[dstOffset ...]}. */
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
            case Q4_K -> {
                for (int sub = 0; sub < n / 32; sub++) {
                    q4KSubBlock(src, at + 144L * (sub >>> 3), sub & 7, dst, dstOffset + 32 * sub);
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
        for (int i = 0; i < 32; i += 8) {
            ((FloatVector) ByteVector.fromMemorySegment(B64, s, o + 2 + i, LE).convertShape(VectorOperators.B2F, F, 0))
                    .mul(d).intoArray(dst, out + i);
        }
    }

    /** Low nibbles are values 0..15, high nibbles 16..31: {@code d (q - 8)}, the offset taken in bytes. */
    private static void q4_0(MemorySegment s, long o, float[] dst, int out) {
        FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(s.get(I16, o)));
        for (int i = 0; i < 16; i += 8) {
            ByteVector q = ByteVector.fromMemorySegment(B64, s, o + 2 + i, LE);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, out + i);
            ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, out + 16 + i);
        }
    }

    /** Sub-block j (32 values) of the Q4_K block at {@code o}: {@code d sc_j q - dmin m_j}. */
    private static void q4KSubBlock(MemorySegment s, long o, int j, float[] dst, int out) {
        float dl = Float.float16ToFloat(s.get(I16, o)) * WeightDecoder.kScale(s, o + 4, j);
        float ml = Float.float16ToFloat(s.get(I16, o + 2)) * WeightDecoder.kMin(s, o + 4, j);
        FloatVector scale = FloatVector.broadcast(F, dl), min = FloatVector.broadcast(F, ml);
        long qs = o + 16 + 32 * (j >>> 1);
        int shift = 4 * (j & 1);
        for (int i = 0; i < 32; i += 8) {
            ByteVector q = ByteVector.fromMemorySegment(B64, s, qs + i, LE).lanewise(VectorOperators.LSHR, shift).and((byte) 0x0F);
            ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(scale).sub(min).intoArray(dst, out + i);
        }
    }
}
