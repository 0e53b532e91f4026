package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar decoding of weight values to floats, straight from the (possibly memory-mapped) bytes:
 * the layouts of ggml's {@code ggml-common.h}, one short loop per block type.
 *
 * <p>The matmul kernels use it to dequantize a run of one weight row into a scratch buffer (a GEMM
 * panel, or the dtypes that have no integer dot kernel); it never touches more than the asked run.
 */
final class WeightDecoder {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private WeightDecoder() {
    }

    /** True for the weight dtypes matmul accepts. */
    static boolean supports(DType t) {
        return switch (t) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, MXFP4 -> true;
            default -> false;
        };
    }

    /**
     * Decodes {@code n} values (a whole number of blocks) starting at byte {@code at} of {@code src}
     * into {@code dst[dstOffset ...]}.
     */
    static void decode(DType type, MemorySegment src, long at, float[] dst, int dstOffset, int n) {
        int blocks = n / type.blockSize();
        int bytes = type.bytesPerBlock();
        switch (type) {
            case F32 -> MemorySegment.copy(src, F32, at, dst, dstOffset, n);
            case F16 -> f16(src, at, dst, dstOffset, n);
            case BF16 -> bf16(src, at, dst, dstOffset, n);
            default -> {
                for (int b = 0; b < blocks; b++) {
                    long block = at + (long) b * bytes;
                    int out = dstOffset + b * type.blockSize();
                    switch (type) {
                        case Q8_0 -> q8_0(src, block, dst, out);
                        case Q4_0 -> q4_0(src, block, dst, out);
                        case Q4_1 -> q4_1(src, block, dst, out);
                        case Q5_0 -> q5_0(src, block, dst, out);
                        case Q5_1 -> q5_1(src, block, dst, out);
                        case Q2_K -> q2_K(src, block, dst, out);
                        case Q3_K -> q3_K(src, block, dst, out);
                        case Q4_K -> q4_K(src, block, dst, out);
                        case Q5_K -> q5_K(src, block, dst, out);
                        case Q6_K -> q6_K(src, block, dst, out);
                        case MXFP4 -> mxfp4(src, block, dst, out);
                        default -> throw new IllegalArgumentException("matmul cannot read weights of type " + type);
                    }
                }
            }
        }
    }

    static float f16(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(I16, at));
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static void f16(MemorySegment s, long at, float[] dst, int o, int n) {
        for (int i = 0; i < n; i++) {
            dst[o + i] = Float.float16ToFloat(s.get(I16, at + 2L * i));
        }
    }

    private static void bf16(MemorySegment s, long at, float[] dst, int o, int n) {
        for (int i = 0; i < n; i++) {
            dst[o + i] = Float.intBitsToFloat(s.get(I16, at + 2L * i) << 16);
        }
    }

    /** f16 d; i8 qs[32]: x = d * q. */
    private static void q8_0(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at);
        for (int i = 0; i < 32; i++) {
            dst[o + i] = d * s.get(ValueLayout.JAVA_BYTE, at + 2 + i);
        }
    }

    /** f16 d; u8 qs[16]: low nibbles are values 0..15, high nibbles 16..31; x = d * (q - 8). */
    private static void q4_0(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at);
        for (int i = 0; i < 16; i++) {
            int q = u8(s, at + 2 + i);
            dst[o + i] = d * ((q & 0xF) - 8);
            dst[o + i + 16] = d * ((q >>> 4) - 8);
        }
    }

    /** f16 d, m; u8 qs[16]: x = d * q + m. */
    private static void q4_1(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at);
        float m = f16(s, at + 2);
        for (int i = 0; i < 16; i++) {
            int q = u8(s, at + 4 + i);
            dst[o + i] = d * (q & 0xF) + m;
            dst[o + i + 16] = d * (q >>> 4) + m;
        }
    }

    /** f16 d; u32 qh; u8 qs[16]: bit i of qh is the 5th bit of value i; x = d * (q - 16). */
    private static void q5_0(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at);
        int qh = s.get(I32, at + 2);
        for (int i = 0; i < 16; i++) {
            int q = u8(s, at + 6 + i);
            int lo = (q & 0xF) | ((qh >>> i) & 1) << 4;
            int hi = (q >>> 4) | ((qh >>> (i + 16)) & 1) << 4;
            dst[o + i] = d * (lo - 16);
            dst[o + i + 16] = d * (hi - 16);
        }
    }

    /** f16 d, m; u32 qh; u8 qs[16]: x = d * q + m. */
    private static void q5_1(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at);
        float m = f16(s, at + 2);
        int qh = s.get(I32, at + 4);
        for (int i = 0; i < 16; i++) {
            int q = u8(s, at + 8 + i);
            int lo = (q & 0xF) | ((qh >>> i) & 1) << 4;
            int hi = (q >>> 4) | ((qh >>> (i + 16)) & 1) << 4;
            dst[o + i] = d * lo + m;
            dst[o + i + 16] = d * hi + m;
        }
    }

    /**
     * u8 scales[16]; u8 qs[64]; f16 d, dmin. Value {@code 128h + 32j + l} (h half, j shift pair, l
     * < 32) is bits {@code 2j} of {@code qs[32h + l]}, in sub-block {@code 8h + 2j + l/16} whose
     * scale byte holds a 4-bit scale (low) and a 4-bit min (high): x = d * sc * q - dmin * m.
     */
    private static void q2_K(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at + 80);
        float dmin = f16(s, at + 82);
        for (int group = 0; group < 16; group++) { // group = 8h + 2j + half: 16 values of one scale
            int h = group >>> 3, j = (group >>> 1) & 3, half = group & 1;
            int sc = u8(s, at + group);
            float dl = d * (sc & 0xF), ml = dmin * (sc >>> 4);
            int out = o + 128 * h + 32 * j + 16 * half;
            long qs = at + 16 + 32 * h + 16 * half;
            for (int l = 0; l < 16; l++) {
                dst[out + l] = dl * ((u8(s, qs + l) >>> (2 * j)) & 3) - ml;
            }
        }
    }

    /**
     * u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d. Low 2 bits as in Q2_K; the high bit of value
     * {@code 128h + 32j + l} is bit {@code 4h + j} of {@code hmask[l]}, and a clear bit means
     * subtract 4. Sixteen 6-bit scales (minus 32) are packed in 12 bytes: low nibbles in bytes 0..7,
     * high 2 bits in bytes 8..11.
     */
    private static void q3_K(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at + 108);
        for (int group = 0; group < 16; group++) { // group = 8h + 2j + half, as in Q2_K
            int h = group >>> 3, j = (group >>> 1) & 3, half = group & 1;
            float dl = d * q3KScale(s, at + 96, group);
            int out = o + 128 * h + 32 * j + 16 * half;
            for (int l = 16 * half; l < 16 * half + 16; l++) {
                int q = (u8(s, at + 32 + 32 * h + l) >>> (2 * j)) & 3;
                int high = (u8(s, at + l) >>> (4 * h + j)) & 1;
                dst[out + l - 16 * half] = dl * (q - (high == 0 ? 4 : 0));
            }
        }
    }

    /** The signed 6-bit scale {@code k} (0..15) of a Q3_K block, whose 12 scale bytes start at {@code at}. */
    static int q3KScale(MemorySegment s, long at, int k) {
        int low = k < 8 ? u8(s, at + k) & 0xF : u8(s, at + k - 8) >>> 4;
        int high = (u8(s, at + 8 + (k & 3)) >>> (2 * (k >>> 2))) & 3;
        return (low | high << 4) - 32;
    }

    /**
     * f16 d, dmin; u8 scales[12]; u8 qs[128]. Eight sub-blocks of 32 with 6-bit scale and min
     * ({@link #kScale}, {@link #kMin}); value {@code 64c + l} is the low nibble of {@code qs[32c + l]}
     * for l < 32 and the high nibble of {@code qs[32c + l - 32]} above: x = d * sc * q - dmin * m.
     */
    private static void q4_K(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at);
        float dmin = f16(s, at + 2);
        for (int sub = 0; sub < 8; sub++) {
            float dl = d * kScale(s, at + 4, sub), ml = dmin * kMin(s, at + 4, sub);
            long qs = at + 16 + 32 * (sub >>> 1);
            int shift = 4 * (sub & 1);
            for (int l = 0; l < 32; l++) {
                dst[o + 32 * sub + l] = dl * ((u8(s, qs + l) >>> shift) & 0xF) - ml;
            }
        }
    }

    /** As Q4_K plus u8 qh[32]: the 5th bit of value {@code 32 sub + l} is bit {@code sub} of {@code qh[l]}. */
    private static void q5_K(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at);
        float dmin = f16(s, at + 2);
        for (int sub = 0; sub < 8; sub++) {
            float dl = d * kScale(s, at + 4, sub), ml = dmin * kMin(s, at + 4, sub);
            long qs = at + 48 + 32 * (sub >>> 1);
            int shift = 4 * (sub & 1);
            for (int l = 0; l < 32; l++) {
                int q = (u8(s, qs + l) >>> shift) & 0xF | ((u8(s, at + 16 + l) >>> sub) & 1) << 4;
                dst[o + 32 * sub + l] = dl * q - ml;
            }
        }
    }

    /** The 6-bit scale of sub-block {@code j} (0..7) of a Q4_K/Q5_K block whose 12 scale bytes start at {@code at}. */
    static int kScale(MemorySegment s, long at, int j) {
        return j < 4 ? u8(s, at + j) & 63 : (u8(s, at + j + 4) & 0xF) | (u8(s, at + j - 4) >>> 6) << 4;
    }

    /** The 6-bit min of sub-block {@code j} (0..7) of a Q4_K/Q5_K block. */
    static int kMin(MemorySegment s, long at, int j) {
        return j < 4 ? u8(s, at + j + 4) & 63 : (u8(s, at + j + 4) >>> 4) | (u8(s, at + j) >>> 6) << 4;
    }

    /**
     * u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d. Value {@code 128h + 32j + l}: low 4 bits from
     * {@code ql[64h + 32(j&1) + l]} (low nibble for j < 2, high nibble above), high 2 bits from bits
     * {@code 2j} of {@code qh[32h + l]}; scale {@code scales[8h + 2j + l/16]}: x = d * sc * (q - 32).
     */
    private static void q6_K(MemorySegment s, long at, float[] dst, int o) {
        float d = f16(s, at + 208);
        for (int group = 0; group < 16; group++) { // group = 8h + 2j + half
            int h = group >>> 3, j = (group >>> 1) & 3, half = group & 1;
            float dl = d * s.get(ValueLayout.JAVA_BYTE, at + 192 + group);
            int out = o + 128 * h + 32 * j + 16 * half;
            long ql = at + 64 * h + 32 * (j & 1) + 16 * half;
            long qh = at + 128 + 32 * h + 16 * half;
            int lowShift = j < 2 ? 0 : 4;
            for (int l = 0; l < 16; l++) {
                int q = ((u8(s, ql + l) >>> lowShift) & 0xF) | ((u8(s, qh + l) >>> (2 * j)) & 3) << 4;
                dst[out + l] = dl * (q - 32);
            }
        }
    }

    /** u8 e; u8 qs[16]: low nibbles are values 0..15, high nibbles 16..31, FP4 codes; x = e2m1(q) * 2^(e - 127). */
    private static void mxfp4(MemorySegment s, long at, float[] dst, int o) {
        float d = Mxfp4Dots.halfScale(u8(s, at));
        for (int i = 0; i < 16; i++) {
            int q = u8(s, at + 1 + i);
            dst[o + i] = Mxfp4Dots.value(q & 0xF) * d;
            dst[o + i + 16] = Mxfp4Dots.value(q >>> 4) * d;
        }
    }
}
