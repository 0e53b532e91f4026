package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** F16 and BF16 conversions checked against the IEEE definitions, computed here independently. */
@ExtendWith(Seeded.class)
class FloatConversionsTest {

    /** Value of a binary16 bit pattern from its fields: (-1)^s * 2^(e-15) * 1.m, subnormals 2^-14 * 0.m. */
    private static double f16Definition(int bits) {
        int sign = (bits >>> 15) & 1;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude;
        if (exponent == 0) {
            magnitude = Math.scalb(mantissa / 1024.0, -14);
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            magnitude = Math.scalb(1 + mantissa / 1024.0, exponent - 15);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    /** Value of a bfloat16 pattern from its fields: 8 exponent bits (bias 127), 7 mantissa bits. */
    private static double bf16Definition(int bits) {
        int sign = (bits >>> 15) & 1;
        int exponent = (bits >>> 7) & 0xFF;
        int mantissa = bits & 0x7F;
        double magnitude;
        if (exponent == 0) {
            magnitude = Math.scalb(mantissa / 128.0, -126);
        } else if (exponent == 255) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            magnitude = Math.scalb(1 + mantissa / 128.0, exponent - 127);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void every_f16_pattern_widens_to_its_ieee_value_and_narrows_back() {
        for (int bits = 0; bits < 65536; bits++) {
            float f = FloatConversions.f16ToF32((short) bits);
            double expected = f16Definition(bits);
            assertEquals(Float.float16ToFloat((short) bits), f, 0.0);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(f), "pattern " + bits);
                assertTrue(Float.isNaN(FloatConversions.f16ToF32(FloatConversions.f32ToF16(f))));
            } else {
                assertEquals(expected, f, 0.0, "pattern " + Integer.toHexString(bits));
                assertEquals((short) bits, FloatConversions.f32ToF16(f), "round trip " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void every_bf16_pattern_widens_to_its_value_and_narrows_back() {
        for (int bits = 0; bits < 65536; bits++) {
            float f = FloatConversions.bf16ToF32((short) bits);
            double expected = bf16Definition(bits);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(f));
                assertTrue(Float.isNaN(FloatConversions.bf16ToF32(FloatConversions.f32ToBf16(f))), "NaN stays NaN");
            } else {
                assertEquals(expected, f, 0.0, "pattern " + Integer.toHexString(bits));
                assertEquals((short) bits, FloatConversions.f32ToBf16(f), "round trip " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void narrowing_rounds_to_nearest_with_ties_to_even(Random random) {
        for (int i = 0; i < 200_000; i++) {
            float x = switch (i % 3) {
                case 0 -> Float.intBitsToFloat(random.nextInt());
                case 1 -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6));
                // exact midpoints between two bf16 values: low 16 bits 0x8000
                default -> Float.intBitsToFloat((random.nextInt() & 0xFFFF0000) | 0x8000);
            };
            if (Float.isNaN(x)) {
                continue;
            }
            assertEquals(nearestEven(x, FloatConversionsTest::bf16Definition), FloatConversions.f32ToBf16(x), "bf16 of " + x);
            assertEquals(nearestEven(x, FloatConversionsTest::f16Definition), FloatConversions.f32ToF16(x), "f16 of " + x);
        }
    }

    @Test
    void nan_and_infinities_are_preserved() {
        for (float special : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertEquals(special, FloatConversions.bf16ToF32(FloatConversions.f32ToBf16(special)));
            assertEquals(special, FloatConversions.f16ToF32(FloatConversions.f32ToF16(special)));
        }
        for (int payload : new int[] {0x7FC00000, 0x7F800001, 0xFF800001, 0x7F80FFFF, 0xFFFFFFFF}) {
            float nan = Float.intBitsToFloat(payload);
            assertTrue(Float.isNaN(FloatConversions.bf16ToF32(FloatConversions.f32ToBf16(nan))), Integer.toHexString(payload));
            assertTrue(Float.isNaN(FloatConversions.f16ToF32(FloatConversions.f32ToF16(nan))), Integer.toHexString(payload));
        }
        assertEquals(Float.POSITIVE_INFINITY, FloatConversions.bf16ToF32(FloatConversions.f32ToBf16(Float.MAX_VALUE)),
                "overflow past the largest bf16 rounds to infinity");
        assertEquals(Float.POSITIVE_INFINITY, FloatConversions.f16ToF32(FloatConversions.f32ToF16(65520f)));
    }

    /** The 16-bit pattern nearest to x by brute force over all finite patterns of x's sign, ties to the even pattern. */
    private static short nearestEven(float x, java.util.function.IntToDoubleFunction definition) {
        int signBit = Float.floatToRawIntBits(x) < 0 ? 0x8000 : 0;
        double ax = Math.abs((double) x);
        // patterns of one sign are ordered by magnitude: binary search the neighbours
        int lo = 0;
        int hi = 0x7FFF; // up to NaNs; find the largest finite pattern below
        while (Double.isNaN(definition.applyAsDouble(hi)) || Double.isInfinite(definition.applyAsDouble(hi))) {
            hi--;
        }
        int maxFinite = hi;
        if (ax > definition.applyAsDouble(maxFinite)) {
            double maxValue = definition.applyAsDouble(maxFinite);
            double ulp = maxValue - definition.applyAsDouble(maxFinite - 1);
            // IEEE: overflow to infinity when |x| >= max + ulp/2 (the midpoint rounds to even = infinity)
            return (short) (signBit | (ax >= maxValue + ulp / 2 ? maxFinite + 1 : maxFinite));
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (definition.applyAsDouble(mid) <= ax) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int below = lo;
        double b = definition.applyAsDouble(below);
        if (b == ax || below == maxFinite) {
            return (short) (signBit | below);
        }
        int above = below + 1;
        double a = definition.applyAsDouble(above);
        double dBelow = ax - b;
        double dAbove = a - ax;
        int pick = dBelow < dAbove ? below : dAbove < dBelow ? above : (below % 2 == 0 ? below : above);
        return (short) (signBit | pick);
    }
}
