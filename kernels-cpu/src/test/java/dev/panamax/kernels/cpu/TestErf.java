package dev.panamax.kernels.cpu;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * {@code 1 + erf(z)} for tests, independent of {@link Erf}: the alternating Maclaurin series
 * {@code erf(z) = 2/sqrt(pi) sum_n (-1)^n z^(2n+1) / (n! (2n+1))}, summed in double for {@code |z| <= 2}
 * (largest term below e^4: relative error under 1e-13 even after {@code 1 + erf} cancels to 0.0047),
 * and in 80-digit decimal arithmetic beyond, where cancellation eats up to 30 digits.
 */
final class TestErf {
    private static final MathContext MC = new MathContext(80);
    private static final BigDecimal PI = new BigDecimal(
            "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803");
    private static final BigDecimal TWO_OVER_SQRT_PI = BigDecimal.TWO.divide(PI.sqrt(MC), MC);
    private static final BigDecimal TINY = new BigDecimal("1e-60");

    private TestErf() {
    }

    /** 1 + erf(z) = erfc(-z), accurate to about 1e-13 relative. */
    static double onePlusErf(double z) {
        if (Math.abs(z) <= 2) {
            double term = z;
            double sum = z;
            for (int n = 1; Math.abs(term) > 1e-22; n++) {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }
            return 1 + 2 / Math.sqrt(Math.PI) * sum;
        }
        BigDecimal bz = new BigDecimal(z);
        BigDecimal z2 = bz.multiply(bz, MC).negate();
        BigDecimal term = bz;
        BigDecimal sum = bz;
        for (int n = 1; term.abs().compareTo(TINY) > 0; n++) {
            term = term.multiply(z2, MC).divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * n + 1), MC), MC);
        }
        return BigDecimal.ONE.add(TWO_OVER_SQRT_PI.multiply(sum, MC), MC).doubleValue();
    }
}
