package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The grid a block type can represent in one sub-block: {@code x = d * q - m} for integer
 * {@code q in [qlo, qhi]}, with {@code d} and {@code m} read from an encoded block (written here
 * from ggml-common.h's layouts, independently of the codecs).
 */
record SubBlockGrid(float d, float m, int qlo, int qhi) {
    private static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Values per sub-block (one scale) of {@code type}. */
    static int subBlockSize(DType type) {
        return switch (type) {
            case Q2_K, Q3_K, Q6_K -> 16;
            case Q4_K, Q5_K -> 32;
            default -> type.blockSize();
        };
    }

    /** The grid of sub-block {@code j} of the block {@code b}. */
    static SubBlockGrid of(DType type, MemorySegment b, int j) {
        return switch (type) {
            case Q4_0 -> new SubBlockGrid(f16(b, 0), 0, -8, 7);
            case Q4_1 -> new SubBlockGrid(f16(b, 0), -f16(b, 2), 0, 15);
            case Q5_0 -> new SubBlockGrid(f16(b, 0), 0, -16, 15);
            case Q5_1 -> new SubBlockGrid(f16(b, 0), -f16(b, 2), 0, 31);
            case Q8_0, Q8_1 -> new SubBlockGrid(f16(b, 0), 0, -127, 127);
            case Q8_K -> new SubBlockGrid(b.get(LE_F32, 0), 0, -128, 127);
            case Q2_K -> new SubBlockGrid(f16(b, 80) * (u8(b, j) & 0xF), f16(b, 82) * (u8(b, j) >> 4), 0, 3);
            case Q3_K -> {
                int low4 = j < 8 ? u8(b, 96 + j) & 0xF : u8(b, 96 + j - 8) >> 4;
                int high2 = u8(b, 104 + j % 4) >> (2 * (j / 4)) & 3;
                yield new SubBlockGrid(f16(b, 108) * ((low4 | high2 << 4) - 32), 0, -4, 3);
            }
            case Q4_K, Q5_K -> {
                int sc = j < 4 ? u8(b, 4 + j) & 63 : (u8(b, 8 + j) & 0xF) | (u8(b, j) >> 6) << 4;
                int mn = j < 4 ? u8(b, 8 + j) & 63 : (u8(b, 8 + j) >> 4) | (u8(b, 4 + j) >> 6) << 4;
                yield new SubBlockGrid(f16(b, 0) * sc, f16(b, 2) * mn, 0, type == DType.Q4_K ? 15 : 31);
            }
            case Q6_K -> new SubBlockGrid(f16(b, 208) * b.get(ValueLayout.JAVA_BYTE, 192 + j), 0, -32, 31);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    private static int u8(MemorySegment b, int offset) {
        return b.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    private static float f16(MemorySegment b, int offset) {
        return Float.float16ToFloat(b.get(LE_I16, offset));
    }
}
