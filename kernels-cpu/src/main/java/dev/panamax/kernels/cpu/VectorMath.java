package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementary functions on float vectors, written out so their accuracy is known and they never
 * fall back to a scalar library call: {@code exp}, {@code erfc}, and loading F16 lanes as floats.
 *
 * <h2>Accuracy</h2>
 * <ul>
 * <li>{@link #exp}: Cody-Waite reduction {@code x = k ln2 + r}, {@code |r| <= ln2/2}, then the
 * degree-7 Taylor polynomial of {@code e^r} (truncation below {@code 6e-9} relative) by Horner with
 * FMA, scaled by {@code 2^k} exactly. Error at most {@link #EXP_ULPS} ulp for results in the normal
 * range (checked by VectorMathTest against {@code Math.exp}); 0 below {@code ln(Float.MIN_NORMAL)}
 * (where the true value is under {@code 1.2e-38}); infinity above {@code ln(Float.MAX_VALUE)}.</li>
 * <li>{@link #erfc}: for {@code |z| < 0.5}, {@code 1 - erf(z)} with erf's Maclaurin series to
 * {@code z^13} (truncation below {@code 1e-9}); beyond, the Chebyshev-fitted formula of Numerical
 * Recipes ({@code erfcc}: {@code t e^(-z^2 + P(t))}, {@code t = 1/(1 + z/2)}, relative error
 * below {@code 1.2e-7} for all {@code z >= 0}) and {@code erfc(-z) = 2 - erfc(z)}. In float the
 * exponent {@code -z^2 + P} is rounded, adding about {@code (z^2 + 8) u} relative
 * ({@code u = 2^-24}). So: relative error below {@code 1.2e-7 + (z^2 + 2 EXP_ULPS + 8) u}, i.e. about
 * 2 to 4 ulp for moderate {@code z}.</li>
 * </ul>
 */
final class VectorMath {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** Upper bound on the ulp error of {@link #exp} for normal results. */
    static final int EXP_ULPS = 2;

    private static final float LOG2E = (float) (1 / Math.log(2));
    private static final float LN2_HI = 0.693145751953125f; // 16 significant bits: k * LN2_HI is exact
    private static final float LN2_LO = (float) (Math.log(2) - 0.693145751953125);
    private static final float ROUNDER = 0x1.8p23f; // adding it rounds to an integer held in the low mantissa bits
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float EXP_UNDERFLOW = (float) Math.log(Float.MIN_NORMAL);
    private static final float EXP_OVERFLOW = (float) Math.log(Float.MAX_VALUE);
    private static final float[] EXP_TAYLOR = taylorOfExp(7);

    private static final float[] ERF_SERIES = erfSeries(7);
    /** tanh(y) = y * P(y^2): the Taylor coefficients 1, -1/3, 2/15, -17/315, 62/2835, -1382/155925. */
    private static final float[] TANH_TAYLOR = {1f, (float) (-1 / 3.0), (float) (2 / 15.0), (float) (-17 / 315.0),
            (float) (62 / 2835.0), (float) (-1382 / 155925.0)};
    private static final float[] ERFC_NR = {-1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f, 0.27886807f,
            -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};

    private VectorMath() {
    }

    /** {@code e^x} lane-wise, within {@link #EXP_ULPS} ulp. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-88f).min(89f);
        FloatVector t = xc.fma(LOG2E, ROUNDER);
        FloatVector k = t.sub(ROUNDER);
        IntVector ki = t.reinterpretAsInts().sub(ROUNDER_BITS);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_LO), k.fma(FloatVector.broadcast(F, -LN2_HI), xc));
        FloatVector p = FloatVector.broadcast(F, EXP_TAYLOR[7]);
        for (int i = 6; i >= 0; i--) {
            p = p.fma(r, FloatVector.broadcast(F, EXP_TAYLOR[i]));
        }
        // 2^k as two factors, so that k = 128 (results near Float.MAX_VALUE) needs no special case
        IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
        IntVector k2 = ki.sub(k1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(s1).mul(s2);
        return e.blend(FloatVector.zero(F), x.lt(EXP_UNDERFLOW)).blend(FloatVector.broadcast(F, Float.POSITIVE_INFINITY), x.compare(VectorOperators.GT, EXP_OVERFLOW));
    }

    /**
     * The sum of the lanes in a fixed order, pairwise: {@code ((l0 + l1) + (l2 + l3)) + ...}.
     * {@code reduceLanes(ADD)} leaves the order open, and its compiled and interpreted forms differ,
     * which would make results depend on JIT timing and so on the thread count. Lane indices are
     * constants so that each {@code lane} call compiles to one extract. Any species: the length is a
     * constant where the species is. (On this project's x86 machine, JDK 25: C2's 256-bit reduction
     * differs from the interpreter's in 58 of 4096 random vectors, its 512-bit one in 2593; a dot
     * product computed before and after warm-up then differs in the last bits.)
     */
    static float sum(FloatVector v) {
        return switch (v.length()) {
            case 16 -> (((v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3))) + ((v.lane(4) + v.lane(5)) + (v.lane(6) + v.lane(7)))) + (((v.lane(8) + v.lane(9)) + (v.lane(10) + v.lane(11))) + ((v.lane(12) + v.lane(13)) + (v.lane(14) + v.lane(15))));
            case 8 -> ((v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3))) + ((v.lane(4) + v.lane(5)) + (v.lane(6) + v.lane(7)));
            case 4 -> (v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3));
            default -> {
                float s = 0;
                for (int i = 0; i < v.length(); i++) {
                    s += v.lane(i);
                }
                yield s;
            }
        };
    }

    /**
     * {@code tanh(y)} lane-wise: below {@code |y| = 1/4} its odd Taylor polynomial to {@code y^11} (truncation
     * below {@code 2e-10} relative), else {@code sign(y) (1 - e) / (1 + e)} with {@code e = e^(-2|y|)}, where
     * {@code e <= 0.61} so that the subtraction loses at most a factor {@code 2e/(1 - e^2) <= 1.92} on exp's error.
     * Relative error below {@code 8.5u} on the polynomial and {@code 2 EXP_ULPS * 1.92 * 2u + 3u} beyond
     * ({@code u = 2^-24}).
     */
    static FloatVector tanh(FloatVector y) {
        FloatVector a = y.abs();
        FloatVector e = exp(a.mul(-2f));
        FloatVector large = e.neg().add(1f).div(e.add(1f));
        FloatVector z = a.mul(a);
        FloatVector p = FloatVector.broadcast(F, TANH_TAYLOR[TANH_TAYLOR.length - 1]);
        for (int i = TANH_TAYLOR.length - 2; i >= 0; i--) {
            p = p.fma(z, FloatVector.broadcast(F, TANH_TAYLOR[i]));
        }
        FloatVector r = large.blend(p.mul(a), a.lt(0.25f));
        return r.blend(r.neg(), y.lt(0f));
    }

    /**
     * The sum of {@code F.length()} lanes stored in {@code lanes}, in the order of {@link #sum(FloatVector)}
     * (pairwise), overwriting them. For kernels that cannot be sure a call to {@code sum(FloatVector)} is
     * inlined: a vector passed to a method that is not becomes a heap object, allocated on every call.
     */
    static float sumStored(float[] lanes) {
        int n = F.length();
        for (int w = 1; w < n; w *= 2) {
            for (int i = 0; i < n; i += 2 * w) {
                lanes[i] += lanes[i + w];
            }
        }
        return lanes[0];
    }

    /** {@code x / (1 + e^-x)} lane-wise. */
    static FloatVector silu(FloatVector x) {
        return x.div(exp(x.neg()).add(1f));
    }

    /** {@code erfc(z)} lane-wise; see the class comment for the error bound. */
    static FloatVector erfc(FloatVector z) {
        FloatVector a = z.abs();
        FloatVector t = a.fma(0.5f, 1f);
        t = FloatVector.broadcast(F, 1f).div(t);
        FloatVector p = FloatVector.broadcast(F, ERFC_NR[9]);
        for (int i = 8; i >= 0; i--) {
            p = p.fma(t, FloatVector.broadcast(F, ERFC_NR[i]));
        }
        FloatVector tail = t.mul(exp(a.neg().fma(a, p)));
        FloatVector large = tail.blend(tail.neg().add(2f), z.lt(0f));
        FloatVector z2 = z.mul(z);
        FloatVector s = FloatVector.broadcast(F, ERF_SERIES[ERF_SERIES.length - 1]);
        for (int i = ERF_SERIES.length - 2; i >= 0; i--) {
            s = s.fma(z2, FloatVector.broadcast(F, ERF_SERIES[i]));
        }
        FloatVector small = s.neg().fma(z, FloatVector.broadcast(F, 1f)); // 1 - z * S(z^2)
        return large.blend(small, a.lt(0.5f));
    }

    /** {@code F.length()} F16 values at {@code byteOffset}, converted exactly to float (infinities and NaN kept). */
    static FloatVector loadF16(MemorySegment m, long byteOffset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(H, m, byteOffset, ORDER).convertShape(VectorOperators.S2I, I, 0);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        // exponent rebias 15 -> 127 by multiplying with 2^112: exact, and right for subnormal halves too
        IntVector finite = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = h.and(0x7C00).eq(0x7C00);
        return finite.blend(magnitude.or(0x7F800000), special).or(sign).reinterpretAsFloats();
    }

    /** Coefficients 1/i! of the Taylor polynomial of e^r. */
    private static float[] taylorOfExp(int degree) {
        float[] c = new float[degree + 1];
        double f = 1;
        for (int i = 0; i <= degree; i++) {
            f = i == 0 ? 1 : f * i;
            c[i] = (float) (1 / f);
        }
        return c;
    }

    /** Coefficients of erf(z) = z * sum_n c_n z^(2n): c_n = 2/sqrt(pi) (-1)^n / (n! (2n + 1)). */
    private static float[] erfSeries(int terms) {
        float[] c = new float[terms];
        double factorial = 1;
        for (int n = 0; n < terms; n++) {
            factorial *= Math.max(n, 1);
            c[n] = (float) ((n % 2 == 0 ? 2 : -2) / Math.sqrt(Math.PI) / (factorial * (2 * n + 1)));
        }
        return c;
    }
}
