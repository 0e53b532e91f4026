package dev.panamax.formats.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian field access inside quantized blocks, and the rounding primitives ggml's codecs use.
 * Every method reproduces one C expression of ggml-quants.c exactly, so the codecs can be read
 * side by side with ggml's.
 */
final class Blocks {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Blocks() {
    }

    /** Unsigned byte. */
    static int u8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** Signed byte. */
    static int i8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset);
    }

    static void putU8(MemorySegment s, long offset, int value) {
        s.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    static short i16(MemorySegment s, long offset) {
        return s.get(I16, offset);
    }

    static void putI16(MemorySegment s, long offset, int value) {
        s.set(I16, offset, (short) value);
    }

    static int u32(MemorySegment s, long offset) {
        return s.get(I32, offset);
    }

    static void putU32(MemorySegment s, long offset, int value) {
        s.set(I32, offset, value);
    }

    static float f32(MemorySegment s, long offset) {
        return s.get(F32, offset);
    }

    static void putF32(MemorySegment s, long offset, float value) {
        s.set(F32, offset, value);
    }

    /** An IEEE half stored at {@code offset}, widened exactly (GGML_FP16_TO_FP32). */
    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(I16, offset));
    }

    /** Stores {@code value} as an IEEE half, rounded to nearest even (GGML_FP32_TO_FP16). */
    static void putF16(MemorySegment s, long offset, float value) {
        s.set(I16, offset, Float.floatToFloat16(value));
    }

    /** {@code value} after a round trip through IEEE half, as ggml reads back a scale it just stored. */
    static float roundToF16(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    /**
     * ggml's {@code nearest_int}: adds 1.5 * 2^23 so the float adder rounds to an integer (ties to
     * even), then reads the integer from the low mantissa bits. Valid for |x| <= 4194303.
     */
    static int nearestInt(float x) {
        int bits = Float.floatToRawIntBits(x + 12582912f);
        return (bits & 0x007FFFFF) - 0x00400000;
    }

    /** C's {@code roundf}: nearest integer, halves away from zero (exact: |x| + 0.5 is exact in double). */
    static int roundHalfAway(float x) {
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (int) (x < 0 ? -r : r);
    }
}
