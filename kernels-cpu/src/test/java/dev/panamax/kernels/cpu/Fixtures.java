package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;

/** Tensors, error-analysis constants and comparisons shared by the kernel tests. */
final class Fixtures {
    /** Unit roundoff of float: 2^-24. */
    static final double U = 0x1p-24;
    /** Sizes with every kind of tail: below, at and above vector lengths, and one long odd row. */
    static final int[] SIZES = {1, 3, 7, 8, 9, 15, 17, 31, 33, 63, 64, 65, 127, 4096 + 3};
    /** Relative error of the reference's {@code (float) Math.exp(x)}: Math.exp is within 1 ulp of a double, then one rounding. */
    static final double REF_EXP = U * (1 + 0x1p-28);
    /** Relative error of {@link VectorMath#exp}: {@code EXP_ULPS} ulp, an ulp being at most {@code 2u} relative. */
    static final double CPU_EXP = VectorMath.EXP_ULPS * 2 * U;

    private Fixtures() {
    }

    /** gamma_n = n u / (1 - n u): the relative error bound of a sum of n terms (Higham). */
    static double gamma(long n) {
        return n * U / (1 - n * U);
    }

    static Tensor tensor(float[] values, long... shape) {
        return Tensor.of(Arena.ofAuto(), values, shape);
    }

    /** An F32 output filled with NaN, so any element a kernel fails to write is caught. */
    static Tensor poisoned(long... shape) {
        return Tensor.allocate(Arena.ofAuto(), dev.panamax.tensor.DType.F32, shape).fill(Float.NaN);
    }

    static int pick(Random random, int... options) {
        return options[random.nextInt(options.length)];
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** |actual - truth| <= bound everywhere (a NaN fails). */
    static void assertWithin(String what, float[] actual, double[] truth, double[] bound) {
        for (int i = 0; i < truth.length; i++) {
            double err = Math.abs(actual[i] - truth[i]);
            if (!(err <= bound[i])) {
                fail(String.format("%s: element %d of %d is %s, float64 says %s: error %.3g exceeds the bound %.3g",
                        what, i, truth.length, actual[i], truth[i], err, bound[i]));
            }
        }
    }

    /** Bitwise equality (NaN fails even against NaN, since outputs start as NaN). */
    static void assertBitwise(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(actual[i]) || Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(String.format("%s: element %d of %d: expected %s, got %s", what, i, expected.length, expected[i], actual[i]));
            }
        }
    }
}
