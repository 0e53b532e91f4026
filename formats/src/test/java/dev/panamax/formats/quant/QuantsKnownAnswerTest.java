package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Decoding hand-built blocks: random bytes with random (finite, non-zero) scales, decoded by
 * {@link Quants} and, independently here, straight from the layout definitions of ggml-common.h,
 * value by value (index arithmetic instead of the codecs' loops). Each value is computed in float with
 * the operation order of its defining formula, which is also ggml's, so the results must be equal.
 * Rows span an odd number of blocks at an odd byte offset.
 */
@ExtendWith(Seeded.class)
class QuantsKnownAnswerTest {
    private static final int BLOCKS = 5;
    private static final long OFFSET = 3;

    /** A block type's value {@code i} of the block at {@code b}, from its layout definition. */
    private interface Layout {
        float value(MemorySegment b, int i);
    }

    @Test
    void q4_0_is_d_times_q_minus_8(Random random) {
        check(DType.Q4_0, random, 0, (b, i) -> f16(b, 0) * (nibble(b, 2, i) - 8));
    }

    @Test
    void q4_1_is_d_times_q_plus_m(Random random) {
        check(DType.Q4_1, random, 0, (b, i) -> nibble(b, 4, i) * f16(b, 0) + f16(b, 2));
    }

    @Test
    void q5_0_is_d_times_q_minus_16_with_fifth_bit_from_qh(Random random) {
        check(DType.Q5_0, random, 0, (b, i) -> f16(b, 0) * ((nibble(b, 6, i) | bit(b, 2, i) << 4) - 16));
    }

    @Test
    void q5_1_is_d_times_q_plus_m_with_fifth_bit_from_qh(Random random) {
        check(DType.Q5_1, random, 0, (b, i) -> (nibble(b, 8, i) | bit(b, 4, i) << 4) * f16(b, 0) + f16(b, 2));
    }

    @Test
    void q8_0_is_d_times_signed_byte(Random random) {
        check(DType.Q8_0, random, 0, (b, i) -> b.get(ValueLayout.JAVA_BYTE, 2 + i) * f16(b, 0));
    }

    @Test
    void q8_1_is_d_times_signed_byte_after_d_and_s(Random random) {
        check(DType.Q8_1, random, 0, (b, i) -> b.get(ValueLayout.JAVA_BYTE, 4 + i) * f16(b, 0));
    }

    @Test
    void q2_k_is_scale_times_two_bit_q_minus_min(Random random) {
        check(DType.Q2_K, random, 80, (b, i) -> {
            int sc = u8(b, i / 16);
            int q = u8(b, 16 + 32 * (i / 128) + i % 32) >> (2 * (i % 128 / 32)) & 3;
            return f16(b, 80) * (sc & 0xF) * q - f16(b, 82) * (sc >> 4);
        });
    }

    @Test
    void q3_k_is_signed_six_bit_scale_times_three_bit_q_minus_4(Random random) {
        check(DType.Q3_K, random, 108, (b, i) -> {
            int j = i / 16;
            int low4 = j < 8 ? u8(b, 96 + j) & 0xF : u8(b, 96 + j - 8) >> 4;
            int high2 = u8(b, 96 + 8 + j % 4) >> (2 * (j / 4)) & 3;
            int scale = (low4 | high2 << 4) - 32;
            int q2 = u8(b, 32 + 32 * (i / 128) + i % 32) >> (2 * (i % 128 / 32)) & 3;
            int hbit = u8(b, i % 32) >> (i / 32) & 1;
            return f16(b, 108) * scale * ((q2 | hbit << 2) - 4);
        });
    }

    @Test
    void q4_k_is_six_bit_scale_times_nibble_minus_six_bit_min(Random random) {
        check(DType.Q4_K, random, 0, (b, i) -> {
            int j = i / 32;
            int q = u8(b, 16 + 32 * (i / 64) + i % 32) >> (4 * (j % 2)) & 0xF;
            return f16(b, 0) * kScale(b, 4, j) * q - f16(b, 2) * kMin(b, 4, j);
        });
    }

    @Test
    void q5_k_is_six_bit_scale_times_five_bit_q_minus_six_bit_min(Random random) {
        check(DType.Q5_K, random, 0, (b, i) -> {
            int j = i / 32;
            int q = (u8(b, 48 + 32 * (i / 64) + i % 32) >> (4 * (j % 2)) & 0xF) | (u8(b, 16 + i % 32) >> j & 1) << 4;
            return f16(b, 0) * kScale(b, 4, j) * q - f16(b, 2) * kMin(b, 4, j);
        });
    }

    @Test
    void q6_k_is_signed_byte_scale_times_six_bit_q_minus_32(Random random) {
        check(DType.Q6_K, random, 208, (b, i) -> {
            int half = i / 128;
            int k = i % 128 / 32;
            int l = i % 32;
            int low = u8(b, 64 * half + l + 32 * (k & 1)) >> (4 * (k >> 1)) & 0xF;
            int high = u8(b, 128 + 32 * half + l) >> (2 * k) & 3;
            int scale = b.get(ValueLayout.JAVA_BYTE, 192 + i / 16);
            return f16(b, 208) * scale * ((low | high << 4) - 32);
        });
    }

    @Test
    void q8_k_is_f32_d_times_signed_byte(Random random) {
        check(DType.Q8_K, random, -1, (b, i) -> b.get(LE_F32, 0) * b.get(ValueLayout.JAVA_BYTE, 4 + i));
    }

    @Test
    void f16_and_bf16_widen_exactly(Random random) {
        check(DType.F16, random, -2, (b, i) -> Float.float16ToFloat(b.get(LE_I16, 0)));
        check(DType.BF16, random, -2, (b, i) -> Float.intBitsToFloat((b.get(LE_I16, 0) & 0xFFFF) << 16));
    }

    // ---------------------------------------------------------------- harness

    private static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Fills BLOCKS blocks with random bytes, sets the f16 scales at their offsets to random finite
     * non-zero halves (the whole block for plain types: {@code scaleAt = -2}; an f32 d for Q8_K:
     * {@code scaleAt = -1}), and compares Quants' decoding with {@code layout}.
     */
    private static void check(DType type, Random random, int scaleAt, Layout layout) {
        int perBlock = type.blockSize();
        int bytes = type.bytesPerBlock();
        int n = BLOCKS * (perBlock == 1 ? 33 : perBlock);
        int blocks = n / perBlock;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment row = arena.allocate(OFFSET + (long) blocks * bytes);
            for (int k = 0; k < blocks; k++) {
                MemorySegment b = row.asSlice(OFFSET + (long) k * bytes, bytes);
                for (int j = 0; j < bytes; j++) {
                    b.set(ValueLayout.JAVA_BYTE, j, (byte) random.nextInt(256));
                }
                if (scaleAt == -1) {
                    b.set(LE_F32, 0, (float) (random.nextGaussian() * 0.01 + (random.nextBoolean() ? 0.02 : -0.02)));
                } else if (scaleAt == -2) {
                    b.set(LE_I16, 0, randomHalf(random));
                } else {
                    b.set(LE_I16, scaleAt, randomHalf(random));
                    if (type == DType.Q2_K || type == DType.Q4_1 || type == DType.Q5_1 || type == DType.Q4_K
                            || type == DType.Q5_K) {
                        int second = type == DType.Q2_K ? 82 : 2; // dmin or m
                        b.set(LE_I16, second, randomHalf(random));
                    }
                }
            }
            float[] got = new float[n + 2];
            Quants.dequantizeRow(type, row, OFFSET, got, 1, n);
            for (int k = 0; k < blocks; k++) {
                MemorySegment b = row.asSlice(OFFSET + (long) k * bytes, bytes);
                for (int i = 0; i < perBlock; i++) {
                    float want = layout.value(b, i);
                    int at = 1 + k * perBlock + i;
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[at]),
                            () -> type + " value " + at + ": want " + want + " got " + got[at]);
                }
            }
        }
    }

    /** A random finite, non-zero half of moderate magnitude (about 2^-12 .. 2^2), either sign. */
    private static short randomHalf(Random random) {
        int exponent = 3 + random.nextInt(15); // biased exponent 3..17: 2^-12 .. 2^2
        int mantissa = random.nextInt(1024);
        int sign = random.nextBoolean() ? 0x8000 : 0;
        return (short) (sign | exponent << 10 | mantissa);
    }

    private static int u8(MemorySegment b, int offset) {
        return b.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    private static float f16(MemorySegment b, int offset) {
        return Float.float16ToFloat(b.get(LE_I16, offset));
    }

    /** Value i of a 32-value block whose 16 bytes of nibbles start at {@code qs}: low nibbles first. */
    private static int nibble(MemorySegment b, int qs, int i) {
        return u8(b, qs + i % 16) >> (4 * (i / 16)) & 0xF;
    }

    /** Bit i of the little-endian 32-bit word at {@code at}. */
    private static int bit(MemorySegment b, int at, int i) {
        return u8(b, at + i / 8) >> (i % 8) & 1;
    }

    /** Six-bit scale of sub-block j (0..7) of the 12-byte K-quant scale field at {@code at}. */
    private static int kScale(MemorySegment b, int at, int j) {
        return j < 4 ? u8(b, at + j) & 63 : (u8(b, at + j + 4) & 0xF) | (u8(b, at + j - 4) >> 6) << 4;
    }

    /** Six-bit min of sub-block j (0..7) of the 12-byte K-quant scale field at {@code at}. */
    private static int kMin(MemorySegment b, int at, int j) {
        return j < 4 ? u8(b, at + j + 4) & 63 : (u8(b, at + j + 4) >> 4) | (u8(b, at + j) >> 6) << 4;
    }
}
