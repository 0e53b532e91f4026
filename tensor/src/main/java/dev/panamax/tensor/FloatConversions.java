package dev.panamax.tensor;

/**
 * Conversions between {@code float} and the 16-bit float formats, as ggml and PyTorch define them.
 *
 * <p>Both narrowing conversions round to nearest, ties to even, keep the sign of zero, map
 * overflow to infinity and keep NaN a NaN (quieted, payload truncated). BF16 is the upper half of
 * an IEEE binary32; F16 is IEEE binary16.
 */
public final class FloatConversions {
    private FloatConversions() {
    }

    /**
     * IEEE binary16 bits to float (exact).
     *
     * @param bits the 16 bits of an F16 value
     * @return the same value as a float
     */
    public static float f16ToF32(short bits) {
        return Float.float16ToFloat(bits);
    }

    /**
     * Float to IEEE binary16 bits, round to nearest even.
     *
     * @param value any float
     * @return the nearest F16 value's bits (infinity on overflow)
     */
    public static short f32ToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /**
     * bfloat16 bits to float (exact: the bits are the high half of the float).
     *
     * @param bits the 16 bits of a BF16 value
     * @return the same value as a float
     */
    public static float bf16ToF32(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Float to bfloat16 bits, round to nearest even; NaN stays NaN (quiet bit set).
     *
     * @param value any float
     * @return the nearest BF16 value's bits
     */
    public static short f32ToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x0040); // NaN: keep sign and high payload, force quiet
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
