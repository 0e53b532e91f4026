package dev.panamax.kernels.cpu;

/**
 * The error function in double precision, for the reference GELU. Accuracy: erf within a few ulp
 * of a double; erfc within a few ulp except on {@code [0.5, 3)}, where it is {@code 1 - erf} and loses
 * up to 5 of 16 digits to cancellation (relative error below {@code 1e-10}). Both are far below
 * float resolution, so reference results are correctly rounded floats up to rare near-ties.
 *
 * <p>Two classical expansions (Abramowitz and Stegun 7.1.6 and 7.1.14): for {@code |x| < 3} the series
 * {@code erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, whose terms are all of one
 * sign (no cancellation); beyond, the continued fraction of {@code erfc}, which keeps full relative
 * accuracy in the tail where {@code 1 - erf} would cancel.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SERIES_LIMIT = 3;
    private static final int FRACTION_TERMS = 80;

    private Erf() {
    }

    /** erf(x). */
    static double erf(double x) {
        double a = Math.abs(x);
        double r = a < SERIES_LIMIT ? series(a) : 1 - fraction(a);
        return Math.copySign(r, x);
    }

    /** erfc(x) = 1 - erf(x), with full relative accuracy for large positive x. */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double tail = a < SERIES_LIMIT ? 1 - series(a) : fraction(a);
        return x >= 0 ? tail : 2 - tail;
    }

    /** erf(a) for 0 <= a < 3 by the all-positive series. */
    private static double series(double a) {
        double term = a;
        double sum = a;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
    }

    /** erfc(a) for a >= 3: e^(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the back. */
    private static double fraction(double a) {
        double f = a;
        for (int n = FRACTION_TERMS; n >= 1; n--) {
            f = a + n / 2.0 / f;
        }
        return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }
}
