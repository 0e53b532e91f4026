package dev.panamax.formats.safetensors;

import dev.panamax.tensor.FloatConversions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Decodes {@code n} little-endian values of any safetensors type to F32, one short loop per type. */
final class F32Decoder {
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private F32Decoder() {}

    static void decode(SafetensorsDType type, MemorySegment src, long offset, MemorySegment dst, long n) {
        long size = type.byteSize();
        for (long i = 0; i < n; i++) {
            long at = offset + i * size;
            float v = switch (type) {
                case BOOL, U8 -> src.get(U8, at) & 0xFF;
                case I8 -> src.get(U8, at);
                case F8_E4M3 -> Float8.e4m3ToFloat(src.get(U8, at));
                case F8_E5M2 -> Float8.e5m2ToFloat(src.get(U8, at));
                case F8_E8M0 -> Float8.e8m0ToFloat(src.get(U8, at));
                case I16 -> src.get(I16, at);
                case U16 -> src.get(I16, at) & 0xFFFF;
                case F16 -> FloatConversions.f16ToF32(src.get(I16, at));
                case BF16 -> FloatConversions.bf16ToF32(src.get(I16, at));
                case I32 -> src.get(I32, at);
                case U32 -> Integer.toUnsignedLong(src.get(I32, at));
                case F32 -> src.get(F32, at);
                case F64 -> (float) src.get(F64, at);
                case I64 -> src.get(I64, at);
                case U64 -> unsignedToFloat(src.get(I64, at));
            };
            dst.setAtIndex(F32, i, v);
        }
    }

    private static float unsignedToFloat(long v) {
        // halve, keeping the lost bit as a sticky bit so that rounding to F32 stays correct
        return v >= 0 ? v : (float) ((v >>> 1) | (v & 1)) * 2f;
    }
}
