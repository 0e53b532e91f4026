package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The elementary functions behind the kernels, against double precision. */
@ExtendWith(Seeded.class)
class VectorMathTest {
    private static final int L = VectorMath.F.length();

    private static float[] apply(java.util.function.UnaryOperator<FloatVector> f, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            f.apply(FloatVector.fromArray(VectorMath.F, x, i)).intoArray(y, i);
        }
        return y;
    }

    private static double ulps(float actual, double truth) {
        return Math.abs(actual - truth) / Math.ulp((float) truth);
    }

    @Test
    void exp_is_within_its_stated_ulps_over_the_normal_range(Random random) {
        float[] x = new float[L * 10_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (-87.3 + random.nextDouble() * (88.7 + 87.3));
        }
        for (int i = 0; i < 64; i++) {
            x[i] = (float) (-1 + i / 32.0); // around 0, where the result is near 1
        }
        float[] y = apply(VectorMath::exp, x);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double u = ulps(y[i], Math.exp(x[i]));
            worst = Math.max(worst, u);
            if (!(u <= VectorMath.EXP_ULPS)) {
                fail("exp(" + x[i] + ") = " + y[i] + ", Math.exp says " + Math.exp(x[i]) + ": " + u + " ulp");
            }
        }
        System.out.printf("VectorMath.exp: worst error %.3f ulp over %d arguments%n", worst, x.length);
    }

    @Test
    void exp_saturates_to_zero_and_infinity_and_keeps_nan() {
        float[] x = new float[L * 2];
        float[] special = {-1000f, -88f, -87.5f, 88.8f, 1000f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (int i = 0; i < x.length; i++) {
            x[i] = special[i % special.length];
        }
        float[] y = apply(VectorMath::exp, x);
        for (int i = 0; i < x.length; i++) {
            float expected = x[i] < Math.log(Float.MIN_NORMAL) ? 0f : x[i] > Math.log(Float.MAX_VALUE) ? Float.POSITIVE_INFINITY
                    : Float.NaN;
            assertEquals(expected, y[i], "exp(" + x[i] + ")");
        }
    }

    @Test
    void erfc_is_within_its_stated_bound(Random random) {
        float[] z = new float[L * 5_000];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (random.nextDouble() * 18 - 9);
        }
        float[] y = apply(VectorMath::erfc, z);
        double worst = 0;
        for (int i = 0; i < z.length; i++) {
            double truth = Erf.erfc(z[i]);
            if (truth < Float.MIN_NORMAL) {
                continue; // beyond z ~ 9.1 erfc leaves float's normal range
            }
            // the class comment's bound: 1.2e-7 (Numerical Recipes' fit) + (z^2 + 2 EXP_ULPS + 8) u
            double bound = 1.2e-7 + (z[i] * z[i] + 2 * VectorMath.EXP_ULPS + 8) * Fixtures.U;
            double rel = Math.abs(y[i] - truth) / truth;
            worst = Math.max(worst, rel / Fixtures.U);
            if (!(rel <= bound)) {
                fail("erfc(" + z[i] + ") = " + y[i] + ", double says " + truth + ": relative error " + rel + " > " + bound);
            }
        }
        System.out.printf("VectorMath.erfc: worst relative error %.2f u%n", worst);
    }

    @Test
    void lane_sum_adds_in_its_documented_fixed_order(Random random) {
        for (int c = 0; c < 100; c++) {
            float[] a = Seeded.gaussian(random, L, 1e3);
            float expected = L <= 16 ? pairwise(a, 0, L) : sequential(a);
            assertEquals(Float.floatToRawIntBits(expected),
                    Float.floatToRawIntBits(VectorMath.sum(FloatVector.fromArray(VectorMath.F, a, 0))));
        }
    }

    private static float pairwise(float[] a, int from, int n) {
        return n == 1 ? a[from] : pairwise(a, from, n / 2) + pairwise(a, from + n / 2, n / 2);
    }

    private static float sequential(float[] a) {
        float s = 0;
        for (float x : a) {
            s += x;
        }
        return s;
    }

    @Test
    void double_erf_agrees_with_published_values() {
        // Abramowitz and Stegun table 7.1 and standard tables, 16 digits; erf is claimed within a few ulp (1e-15)
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, Erf.erf(1), 1e-15);
        assertEquals(0.9953222650189527, Erf.erf(2), 1e-15);
        assertEquals(-0.8427007929497149, Erf.erf(-1), 1e-15);
        assertEquals(2.209049699858544e-05, Erf.erfc(3), 2.209049699858544e-05 * 1e-14);
        assertEquals(1.541725790028002e-08, Erf.erfc(4), 1.541725790028002e-08 * 1e-14);
        assertEquals(1.5374597944280349e-12, Erf.erfc(5), 1.5374597944280349e-12 * 1e-14);
        assertEquals(1.9999999999984626, Erf.erfc(-5), 1e-15);
    }

    @Test
    void double_erfc_matches_the_independent_series(Random random) {
        for (int i = 0; i < 300; i++) {
            double z = random.nextDouble() * 12 - 6;
            double truth = TestErf.onePlusErf(-z); // erfc(z) = 1 + erf(-z)
            assertEquals(truth, Erf.erfc(z), truth * 1e-10, "erfc(" + z + ")"); // Erf's stated bound
        }
    }

    @Test
    void f16_lanes_decode_exactly_for_all_65536_values() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(2 * 65536);
            for (int i = 0; i < 65536; i++) {
                m.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, (short) i);
            }
            float[] lanes = new float[L];
            for (int i = 0; i < 65536; i += L) {
                VectorMath.loadF16(m, 2L * i).intoArray(lanes, 0);
                for (int j = 0; j < L; j++) {
                    float expected = Float.float16ToFloat((short) (i + j));
                    boolean same = Float.isNaN(expected) ? Float.isNaN(lanes[j])
                            : Float.floatToRawIntBits(expected) == Float.floatToRawIntBits(lanes[j]);
                    assertTrue(same, "half 0x" + Integer.toHexString(i + j) + ": expected " + expected + ", got " + lanes[j]);
                }
            }
        }
    }
}
