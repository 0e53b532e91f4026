package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The lookup table of half-precision values ({@link HalfFloats}) against the JDK's conversion, for every input. */
class HalfFloatsTest {

    @Test
    void every_half_precision_value_looks_up_to_the_jdks_conversion_bit_for_bit() {
        assertEquals(65536, HalfFloats.TO_FLOAT.length);
        for (int h = 0; h < 65536; h++) {
            int expected = Float.floatToRawIntBits(Float.float16ToFloat((short) h));
            int actual = Float.floatToRawIntBits(HalfFloats.TO_FLOAT[h]);
            String bits = "f16 bits 0x" + Integer.toHexString(h);
            assertEquals(expected, actual, bits);
            // a short read from the weights is sign-extended: the kernels mask it, as here
            assertEquals(expected, Float.floatToRawIntBits(HalfFloats.TO_FLOAT[((short) h) & 0xFFFF]), bits);
        }
    }
}
