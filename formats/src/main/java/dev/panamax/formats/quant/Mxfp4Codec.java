package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * MXFP4 (OCP microscaling FP4, gpt-oss's expert weights): blocks of 32 values in 17 bytes:
 * {@code u8 e; u8 qs[16]}. Byte {@code j} of qs holds value {@code j} in its low nibble and value
 * {@code j + 16} in its high nibble, each an FP4 E2M1 number (sign, 2 exponent bits, 1 mantissa
 * bit: 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives). {@code e} is an E8M0 scale, {@code 2^(e - 127)}.
 *
 * <p>As ggml does, the E2M1 values are kept doubled as small integers ({@link #KVALUES}) and the scale
 * halved ({@link #halfScale}, ggml's {@code GGML_E8M0_TO_FP32_HALF}), so {@code x = KVALUES[q] * halfScale(e)},
 * exact in float. The quantizer takes {@code e = floor(log2f(amax)) - 2 + 127} for the block's largest
 * magnitude amax (so amax lands between 4 and 8 doubled-grid steps, near the top value 12), then for each
 * value the grid index of least error, the lowest index on ties.
 */
final class Mxfp4Codec extends BlockLoopCodec {
    private static final int QK = 32;
    /** E2M1 values times two, by 4-bit code: ggml's {@code kvalues_mxfp4}. Code 8 is -0. */
    static final int[] KVALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
    private static final double LN2 = StrictMath.log(2.0);

    Mxfp4Codec() {
        super(DType.MXFP4);
    }

    /**
     * {@code 2^(e - 128)}, half the E8M0 value {@code 2^(e - 127)}; for e = 0 and 1 the F32 subnormals
     * 2^-128 and 2^-127. e = 255 (E8M0's NaN) gives 2^127, as ggml's conversion does (it ignores NaN).
     */
    static float halfScale(int e) {
        return Float.intBitsToFloat(e < 2 ? 0x00200000 << e : (e - 1) << 23);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = halfScale(Blocks.u8(src, block));
        for (int j = 0; j < QK / 2; j++) {
            int q = Blocks.u8(src, block + 1 + j);
            dst[y + j] = KVALUES[q & 0x0F] * d;
            dst[y + j + QK / 2] = KVALUES[q >>> 4] * d;
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float amax = 0f;
        for (int j = 0; j < QK; j++) {
            float a = Math.abs(src[x + j]);
            if (amax < a) {
                amax = a;
            }
        }
        int e = amax > 0f ? scaleExponent(amax) : 0;
        float d = halfScale(e);
        Blocks.putU8(dst, block, e);
        for (int j = 0; j < QK / 2; j++) {
            int q0 = bestIndex(src[x + j], d);
            int q1 = bestIndex(src[x + j + QK / 2], d);
            Blocks.putU8(dst, block + 1 + j, q0 | (q1 << 4));
        }
    }

    /**
     * ggml's {@code (uint8_t) (floorf(log2f(amax)) - 2 + 127)}. log2f is rounded to float before the
     * floor, so the largest float below a power of two 2^p (|p| >= 2) floors to p, not p - 1: its
     * logarithm is nearer to p than half the float spacing there. A double logarithm rounded to
     * float reproduces that (it is never within its error of a float midpoint). The
     * cast to {@code uint8_t} is undefined in C for results outside 0..255 (amax below 2^-125, or
     * infinite); x86-64 converts to a 32-bit integer (0x80000000 when out of range) and keeps its low
     * byte, which is what this returns.
     */
    static int scaleExponent(float amax) {
        float log2 = (float) (StrictMath.log(amax) / LN2);
        float v = (float) Math.floor(log2) - 2 + 127;
        int i = v >= -2147483648f && v < 2147483648f ? (int) v : Integer.MIN_VALUE;
        return i & 0xFF;
    }

    /** The code whose value {@code KVALUES[i] * d} is nearest to {@code x}; the first on ties (ggml's best_index_mxfp4). */
    private static int bestIndex(float x, float d) {
        int best = 0;
        float bestErr = Math.abs(KVALUES[0] * d - x);
        for (int i = 1; i < 16; i++) {
            float err = Math.abs(KVALUES[i] * d - x);
            if (err < bestErr) {
                best = i;
                bestErr = err;
            }
        }
        return best;
    }
}
