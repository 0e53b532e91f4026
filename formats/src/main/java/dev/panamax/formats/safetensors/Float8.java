package dev.panamax.formats.safetensors;

/**
 * Decoders of the two 8-bit float formats safetensors stores (OCP FP8, arXiv:2209.05433), exact:
 * every 8-bit value is representable in F32.
 *
 * <pre>
 *  format   sign exp mant bias  exp = all ones              subnormals (exp = 0)
 *  E4M3      1    4   3    7    finite, except S.1111.111 = NaN (no infinities; max 448)  m/8 * 2^-6
 *  E5M2      1    5   2   15    m = 0: +-inf, else NaN (IEEE-like; max 57344)             m/4 * 2^-14
 *  E8M0      0    8   0  127    0xFF = NaN; every other byte e is 2^(e - 127) (block scales)  none
 * </pre>
 */
public final class Float8 {
    private static final float[] E4M3 = table(3, 7, false);
    private static final float[] E5M2 = table(2, 15, true);

    private static final float[] E8M0 = e8m0Table();

    private Float8() {}

    /**
     * {@return the value of an {@code F8_E8M0} byte: an unsigned power of two, {@code 2^(b - 127)}, or NaN for
     * 0xFF}
     *
     * @param b the byte
     */
    public static float e8m0ToFloat(byte b) {
        return E8M0[b & 0xFF];
    }

    private static float[] e8m0Table() {
        float[] t = new float[256];
        for (int b = 0; b < 255; b++) {
            t[b] = Math.scalb(1f, b - 127); // 2^-127 is an exact F32 subnormal
        }
        t[255] = Float.NaN;
        return t;
    }

    /**
     * The value of an {@code F8_E4M3} byte (OCP's FN variant: no infinities, NaN for 0x7F and 0xFF).
     *
     * @param b the byte
     * @return the value, exact in float
     */
    public static float e4m3ToFloat(byte b) {
        return E4M3[b & 0xFF];
    }

    /**
     * The value of an {@code F8_E5M2} byte (IEEE-like: infinities and NaNs as in F16).
     *
     * @param b the byte
     * @return the value, exact in float
     */
    public static float e5m2ToFloat(byte b) {
        return E5M2[b & 0xFF];
    }

    /**
     * All 256 values of a format with {@code mantissaBits} and {@code bias}, built from F32 bit
     * patterns: a normal value keeps its mantissa bits, shifted to F32's 23, under a re-biased exponent.
     */
    private static float[] table(int mantissaBits, int bias, boolean ieeeSpecials) {
        float[] t = new float[256];
        int expBits = 7 - mantissaBits;
        int expMax = (1 << expBits) - 1;
        int mantMax = (1 << mantissaBits) - 1;
        for (int b = 0; b < 256; b++) {
            int sign = (b >>> 7) & 1;
            int exp = (b >>> mantissaBits) & expMax;
            int mant = b & mantMax;
            float magnitude;
            if (ieeeSpecials && exp == expMax) {
                magnitude = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
            } else if (!ieeeSpecials && exp == expMax && mant == mantMax) {
                magnitude = Float.NaN;
            } else if (exp == 0) {
                // subnormal: mant * 2^(1 - bias - mantissaBits), exact in F32
                magnitude = Float.intBitsToFloat((127 + 1 - bias - mantissaBits) << 23) * mant;
            } else {
                magnitude = Float.intBitsToFloat((exp - bias + 127) << 23 | mant << (23 - mantissaBits));
            }
            t[b] = sign == 1 ? -magnitude : magnitude;
        }
        return t;
    }
}
