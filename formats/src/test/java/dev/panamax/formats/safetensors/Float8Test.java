package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Both FP8 decoders against a float64 computation from the bit fields, for all 256 bytes. Every FP8
 * value is exact in F32, so the comparison is exact (no tolerance).
 */
class Float8Test {
    /** sign * 2^(e - bias) * (1 + m / 2^M), or the subnormal sign * 2^(1 - bias) * (m / 2^M). */
    private static double fromFields(int b, int mantissaBits, int bias) {
        int expBits = 7 - mantissaBits;
        double sign = (b & 0x80) != 0 ? -1 : 1;
        int e = (b >> mantissaBits) & ((1 << expBits) - 1);
        int m = b & ((1 << mantissaBits) - 1);
        double fraction = m / Math.pow(2, mantissaBits);
        return e == 0 ? sign * Math.pow(2, 1 - bias) * fraction : sign * Math.pow(2, e - bias) * (1 + fraction);
    }

    @Test
    void e4m3_decodes_all_256_bytes_with_bias_7_no_infinities_and_nan_only_at_s1111111() {
        int nans = 0;
        for (int b = 0; b < 256; b++) {
            float actual = Float8.e4m3ToFloat((byte) b);
            if ((b & 0x7F) == 0x7F) {
                assertTrue(Float.isNaN(actual), "byte " + b);
                nans++;
                continue;
            }
            double expected = fromFields(b, 3, 7); // exponent 1111 is finite in E4M3
            assertEquals(Float.floatToIntBits((float) expected), Float.floatToIntBits(actual), "byte 0x" + Integer.toHexString(b));
            assertEquals(expected, actual, 0.0);
        }
        assertEquals(2, nans);
        assertEquals(448f, Float8.e4m3ToFloat((byte) 0x7E), "largest finite");
        assertEquals(0x1p-9f, Float8.e4m3ToFloat((byte) 0x01), "smallest subnormal");
        assertEquals(-0f, Float8.e4m3ToFloat((byte) 0x80));
        assertTrue(Float.floatToIntBits(Float8.e4m3ToFloat((byte) 0x80)) < 0, "negative zero keeps its sign");
    }

    @Test
    void e5m2_decodes_all_256_bytes_with_bias_15_infinities_and_nans() {
        for (int b = 0; b < 256; b++) {
            float actual = Float8.e5m2ToFloat((byte) b);
            int e = (b >> 2) & 31;
            int m = b & 3;
            if (e == 31) {
                if (m == 0) {
                    assertEquals((b & 0x80) != 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY, actual, "byte " + b);
                } else {
                    assertTrue(Float.isNaN(actual), "byte " + b);
                }
                continue;
            }
            double expected = fromFields(b, 2, 15);
            assertEquals(Float.floatToIntBits((float) expected), Float.floatToIntBits(actual), "byte 0x" + Integer.toHexString(b));
        }
        assertEquals(57344f, Float8.e5m2ToFloat((byte) 0x7B), "largest finite");
        assertEquals(0x1p-16f, Float8.e5m2ToFloat((byte) 0x01), "smallest subnormal");
    }

    @Test
    void e8m0_decodes_all_256_bytes_as_unsigned_powers_of_two_with_nan_at_ff() {
        for (int b = 0; b < 255; b++) {
            double expected = Math.pow(2, b - 127);
            assertEquals(expected, Float8.e8m0ToFloat((byte) b), 0.0, "byte " + b);
        }
        assertTrue(Float.isNaN(Float8.e8m0ToFloat((byte) 0xFF)));
        assertEquals(1f, Float8.e8m0ToFloat((byte) 127));
    }
}
