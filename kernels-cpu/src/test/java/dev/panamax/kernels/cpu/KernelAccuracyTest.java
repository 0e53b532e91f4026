package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.CPU_EXP;
import static dev.panamax.kernels.cpu.Fixtures.REF_EXP;
import static dev.panamax.kernels.cpu.Fixtures.SIZES;
import static dev.panamax.kernels.cpu.Fixtures.U;
import static dev.panamax.kernels.cpu.Fixtures.assertBitwise;
import static dev.panamax.kernels.cpu.Fixtures.assertWithin;
import static dev.panamax.kernels.cpu.Fixtures.gamma;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;
import static dev.panamax.kernels.cpu.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every kernel of both backends against a float64 computation written here, with a bound from a
 * first-order rounding-error analysis (u = 2^-24, gamma_n = n u / (1 - n u); the factor 1.01 covers
 * second-order terms), and the cpu kernels against their reference twins. Where the two backends do
 * the same IEEE operations in the same order, they must agree bitwise.
 */
@ExtendWith(Seeded.class)
class KernelAccuracyTest {
    private static final ReferenceOps REFERENCE = new ReferenceOps();
    /** The cpu backend under test: its default small-shape thresholds here, every vector path in the subclass. */
    private final CpuOps cpu;

    KernelAccuracyTest() {
        this.cpu = backend();
    }

    /** The backend each test gets (a new one per test, closed after it). */
    CpuOps backend() {
        return new CpuOps(3);
    }

    @AfterEach
    void close() {
        cpu.close();
    }

    /**
     * Absolute floor of the exp-based kernels: where e^t leaves float's normal range (|t| > 87), results
     * are flushed to 0 or rounded as subnormals; the absolute effect is below Float.MIN_NORMAL per unit of |x|.
     */
    private static final double TINY = Float.MIN_NORMAL;

    private Ops[] backends() {
        return new Ops[] {REFERENCE, cpu};
    }

    private double expError(Ops ops) {
        return ops == cpu ? CPU_EXP : REF_EXP;
    }

    @Test
    void rmsNorm_matches_float64_within_half_gamma_of_the_row(Random random) {
        for (int d : SIZES) {
            int rows = 1 + random.nextInt(3);
            float[] x = Seeded.gaussian(random, rows * d, 2);
            float[] w = Seeded.nonZeroFloats(random, d, 1.5f);
            float eps = 1e-5f;
            double[] truth = new double[x.length];
            double[] bound = new double[x.length];
            for (int r = 0; r < rows; r++) {
                double ss = 0;
                for (int i = 0; i < d; i++) {
                    ss += (double) x[r * d + i] * x[r * d + i];
                }
                double inv = 1 / Math.sqrt(ss / d + eps);
                for (int i = 0; i < d; i++) {
                    truth[r * d + i] = x[r * d + i] * inv * w[i];
                    // sum of d squares: gamma_(d+1); /d, +eps, sqrt (halves it), 1/: 3u; two products: 2u
                    bound[r * d + i] = 1.01 * (0.5 * gamma(d + 1) + 5 * U) * Math.abs(truth[r * d + i]);
                }
            }
            float[][] results = new float[2][];
            for (Ops ops : backends()) {
                Tensor out = poisoned(rows, d);
                ops.rmsNorm(tensor(x, rows, d), tensor(w, d), eps, out);
                results[ops == cpu ? 1 : 0] = out.toFloatArray();
                assertWithin(ops.name() + " rmsNorm d=" + d, out.toFloatArray(), truth, bound);
            }
            assertWithin("cpu vs reference rmsNorm d=" + d, results[1], Fixtures.toDouble(results[0]), twice(bound));
        }
    }

    @Test
    void layerNorm_matches_float64_within_the_two_pass_bound(Random random) {
        for (int d : SIZES) {
            int rows = 1 + random.nextInt(3);
            float[] x = Seeded.gaussian(random, rows * d, 1.5);
            for (int i = 0; i < x.length; i++) {
                x[i] += 0.75f; // a mean away from zero makes the centring matter
            }
            float[] w = Seeded.nonZeroFloats(random, d, 1.5f);
            float[] b = Seeded.nonZeroFloats(random, d, 0.5f);
            boolean affine = random.nextBoolean();
            float eps = 1e-5f;
            double[] truth = new double[x.length];
            double[] bound = new double[x.length];
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                double abs = 0;
                for (int i = 0; i < d; i++) {
                    sum += x[r * d + i];
                    abs += Math.abs(x[r * d + i]);
                }
                double mean = sum / d;
                double var = 0;
                for (int i = 0; i < d; i++) {
                    var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
                }
                var /= d;
                double inv = 1 / Math.sqrt(var + eps);
                double dm = gamma(d) * abs / d + U * Math.abs(mean); // error of the float mean
                // variance around the float mean: gamma_(d+2) relative, plus dm^2 (the cross term sums to zero)
                double relVar = gamma(d + 2) + dm * dm / (var + eps) + 2 * U;
                double relInv = 0.5 * relVar + 2 * U;
                for (int i = 0; i < d; i++) {
                    double c = x[r * d + i] - mean;
                    double wi = affine ? w[i] : 1;
                    double bi = affine ? b[i] : 0;
                    double y = c * inv;
                    truth[r * d + i] = y * wi + bi;
                    bound[r * d + i] = 1.01 * (Math.abs(wi) * inv * (dm + Math.abs(c) * (relInv + 3 * U))
                            + 2 * U * (Math.abs(y * wi) + Math.abs(bi)));
                }
            }
            float[][] results = new float[2][];
            for (Ops ops : backends()) {
                Tensor out = poisoned(rows, d);
                ops.layerNorm(tensor(x, rows, d), affine ? tensor(w, d) : null, affine ? tensor(b, d) : null, eps, out);
                results[ops == cpu ? 1 : 0] = out.toFloatArray();
                assertWithin(ops.name() + " layerNorm d=" + d, out.toFloatArray(), truth, bound);
            }
            assertWithin("cpu vs reference layerNorm d=" + d, results[1], Fixtures.toDouble(results[0]), twice(bound));
        }
    }

    @Test
    void softmax_matches_float64_within_the_exp_and_sum_bound(Random random) {
        for (int d : SIZES) {
            int rows = 1 + random.nextInt(3);
            float[] x = Seeded.gaussian(random, rows * d, 3);
            float[][] results = new float[2][];
            double[] both = new double[x.length];
            for (Ops ops : backends()) {
                double ce = expError(ops);
                double[] truth = new double[x.length];
                double[] bound = new double[x.length];
                for (int r = 0; r < rows; r++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < d; i++) {
                        max = Math.max(max, x[r * d + i]);
                    }
                    double sum = 0;
                    double maxD = 0;
                    for (int i = 0; i < d; i++) {
                        sum += Math.exp(x[r * d + i] - max);
                        maxD = Math.max(maxD, max - x[r * d + i]);
                    }
                    for (int i = 0; i < d; i++) {
                        double dj = max - x[r * d + i];
                        truth[r * d + i] = Math.exp(-dj) / sum;
                        // e_j: u|d_j| (rounded argument) + exp error; sum: the worst e_k error + gamma_d; division: 2u
                        double rel = U * dj + ce + U * maxD + ce + gamma(d) + 2 * U;
                        bound[r * d + i] = 1.01 * rel * truth[r * d + i] + TINY;
                        both[r * d + i] += bound[r * d + i];
                    }
                }
                Tensor out = poisoned(rows, d);
                ops.softmax(tensor(x, rows, d), out);
                results[ops == cpu ? 1 : 0] = out.toFloatArray();
                assertWithin(ops.name() + " softmax d=" + d, out.toFloatArray(), truth, bound);
            }
            assertWithin("cpu vs reference softmax d=" + d, results[1], Fixtures.toDouble(results[0]), both);
        }
    }

    @Test
    void silu_and_swiglu_match_float64_within_the_exp_bound(Random random) {
        for (int n : SIZES) {
            float[] g = Seeded.gaussian(random, n, 4);
            float[] up = Seeded.nonZeroFloats(random, n, 2f);
            float[][] silu = new float[2][];
            double[] both = new double[n];
            for (Ops ops : backends()) {
                double ce = expError(ops);
                double[] truth = new double[n];
                double[] bound = new double[n];
                double[] truthGlu = new double[n];
                double[] boundGlu = new double[n];
                for (int i = 0; i < n; i++) {
                    truth[i] = g[i] / (1 + Math.exp(-g[i]));
                    // e^-x: ce; 1 + e: u; division: u
                    bound[i] = 1.01 * (ce + 2 * U) * Math.abs(truth[i]) + TINY * (1 + Math.abs(g[i]));
                    truthGlu[i] = truth[i] * up[i];
                    boundGlu[i] = 1.01 * (ce + 3 * U) * Math.abs(truthGlu[i]) + TINY * (1 + Math.abs(g[i])) * Math.abs(up[i]);
                    both[i] += bound[i];
                }
                Tensor out = poisoned(n);
                ops.silu(tensor(g, n), out);
                silu[ops == cpu ? 1 : 0] = out.toFloatArray();
                assertWithin(ops.name() + " silu n=" + n, out.toFloatArray(), truth, bound);
                Tensor glu = poisoned(n);
                ops.swiglu(tensor(g, n), tensor(up, n), glu);
                assertWithin(ops.name() + " swiglu n=" + n, glu.toFloatArray(), truthGlu, boundGlu);
            }
            assertWithin("cpu vs reference silu n=" + n, silu[1], Fixtures.toDouble(silu[0]), both);
        }
    }

    @Test
    void gelu_tanh_matches_float64_within_the_argument_and_exp_bound(Random random) {
        for (int n : SIZES) {
            float[] x = Seeded.gaussian(random, n, 2.5);
            for (Ops ops : backends()) {
                double[] truth = new double[n];
                double[] bound = new double[n];
                for (int i = 0; i < n; i++) {
                    double y = Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i]);
                    truth[i] = x[i] / (1 + Math.exp(-2 * y)); // = x/2 (1 + tanh y), without cancellation for x < 0
                    // reference: computed in double and rounded once (u; the double error is ~1e-16 relative).
                    // cpu: x*sigmoid(2y) in float: 2y carries 6u relative (5 roundings and the constants),
                    // which e^-2y turns into 6u|2y| relative; then exp error, +1 and the division
                    double rel = ops == cpu ? 6 * U * Math.abs(2 * y) + CPU_EXP + 2 * U : U * (1 + 1e-6);
                    bound[i] = 1.01 * rel * Math.abs(truth[i]) + TINY * (1 + Math.abs(x[i]));
                }
                Tensor out = poisoned(n);
                ops.gelu(tensor(x, n), Gelu.TANH, out);
                assertWithin(ops.name() + " gelu tanh n=" + n, out.toFloatArray(), truth, bound);
            }
        }
    }

    @Test
    void gelu_erf_matches_float64_within_the_erfc_bound(Random random) {
        for (int n : SIZES) {
            float[] x = Seeded.gaussian(random, n, 1.5);
            double[] onePlusErf = new double[n];
            for (int i = 0; i < n; i++) {
                onePlusErf[i] = TestErf.onePlusErf(x[i] / Math.sqrt(2));
            }
            for (Ops ops : backends()) {
                double[] truth = new double[n];
                double[] bound = new double[n];
                for (int i = 0; i < n; i++) {
                    double z = x[i] / Math.sqrt(2);
                    truth[i] = 0.5 * x[i] * onePlusErf[i];
                    double rel = ops == cpu
                            // the float z = x * (-1/sqrt 2) is off by 2u relative, which erfc's conditioning
                            // (|z erfc'/erfc| <= 2z^2 + 2|z|) amplifies; then VectorMath.erfc's own bound and the product
                            ? 2 * U * (2 * z * z + 2 * Math.abs(z)) + 1.2e-7 + (z * z + 2 * VectorMath.EXP_ULPS + 8) * U + U
                            : U * (1 + 1e-6);
                    bound[i] = 1.01 * rel * Math.abs(truth[i]) + TINY * (1 + Math.abs(x[i]));
                }
                Tensor out = poisoned(n);
                ops.gelu(tensor(x, n), Gelu.ERF, out);
                assertWithin(ops.name() + " gelu erf n=" + n, out.toFloatArray(), truth, bound);
            }
        }
    }

    @Test
    void add_mul_and_scale_are_correctly_rounded_and_bitwise_equal_across_backends(Random random) {
        for (int d : SIZES) {
            int rows = 1 + random.nextInt(4);
            float[] a = Seeded.gaussian(random, rows * d, 3);
            float[] b = Seeded.nonZeroFloats(random, rows * d, 2f);
            float[] bias = Seeded.nonZeroFloats(random, d, 2f);
            float s = Seeded.nonZeroFloats(random, 1, 3f)[0];
            float[][] results = new float[2][];
            for (Ops ops : backends()) {
                StringBuilder all = new StringBuilder();
                float[] concat = new float[5 * rows * d];
                int at = 0;
                for (int op = 0; op < 5; op++) {
                    boolean row = op == 1 || op == 3;
                    Tensor out = poisoned(rows, d);
                    Tensor bt = row ? tensor(bias, d) : tensor(b, rows, d);
                    switch (op) {
                        case 0, 1 -> ops.add(tensor(a, rows, d), bt, out);
                        case 2, 3 -> ops.mul(tensor(a, rows, d), bt, out);
                        default -> ops.scale(tensor(a, rows, d), s, out);
                    }
                    float[] got = out.toFloatArray();
                    double[] truth = new double[got.length];
                    double[] bound = new double[got.length];
                    for (int i = 0; i < got.length; i++) {
                        double bi = row ? bias[i % d] : b[i];
                        truth[i] = op <= 1 ? a[i] + bi : op <= 3 ? a[i] * bi : (double) a[i] * s;
                        bound[i] = U * Math.abs(truth[i]); // one IEEE operation: correctly rounded
                    }
                    assertWithin(ops.name() + " op " + op + " d=" + d, got, truth, bound);
                    System.arraycopy(got, 0, concat, at, got.length);
                    at += got.length;
                    all.append(op);
                }
                results[ops == cpu ? 1 : 0] = concat;
            }
            assertBitwise("cpu vs reference add/mul/scale d=" + d, results[0], results[1]);
        }
    }

    @Test
    void rope_rotates_the_first_dims_and_copies_the_rest_bitwise_equal_across_backends(Random random) {
        int[] headDims = {8, 64, 80, 128, 6, 34};
        for (int d : headDims) {
            for (Rope.Layout layout : Rope.Layout.values()) {
                int dims = random.nextBoolean() ? d : 2 * (1 + random.nextInt(d / 2)); // partial rotary too
                Rope rope = Rope.of(layout, dims, random.nextBoolean() ? 10000 : 1e6);
                int tokens = 1 + random.nextInt(5);
                int heads = 1 + random.nextInt(4);
                int startPos = random.nextInt(5000);
                float[] x = Seeded.gaussian(random, tokens * heads * d, 1);
                double[] truth = new double[x.length];
                double[] bound = new double[x.length];
                int pairs = dims / 2;
                for (int t = 0; t < tokens; t++) {
                    for (int h = 0; h < heads; h++) {
                        int base = (t * heads + h) * d;
                        for (int i = 0; i < pairs; i++) {
                            double angle = (startPos + t) * (double) rope.inverseFrequency(i);
                            int ia = base + (layout == Rope.Layout.INTERLEAVED ? 2 * i : i);
                            int ib = base + (layout == Rope.Layout.INTERLEAVED ? 2 * i + 1 : i + pairs);
                            double c = Math.cos(angle);
                            double s = Math.sin(angle);
                            truth[ia] = x[ia] * c - x[ib] * s;
                            truth[ib] = x[ia] * s + x[ib] * c;
                            // c and s rounded to float (u each), two products and a sum (2u): 3u of |x0 c| + |x1 s|
                            double e = 1.01 * 3 * U * (Math.abs(x[ia] * c) + Math.abs(x[ib] * s) + Math.abs(x[ia] * s)
                                    + Math.abs(x[ib] * c));
                            bound[ia] = e;
                            bound[ib] = e;
                        }
                        for (int i = dims; i < d; i++) {
                            truth[base + i] = x[base + i]; // not rotated: copied exactly
                        }
                    }
                }
                float[][] results = new float[2][];
                for (Ops ops : backends()) {
                    Tensor out = poisoned(tokens, heads, d);
                    ops.rope(tensor(x, tokens, heads, d), startPos, rope, out);
                    results[ops == cpu ? 1 : 0] = out.toFloatArray();
                    assertWithin(ops.name() + " rope " + rope + " d=" + d, out.toFloatArray(), truth, bound);
                }
                assertBitwise("cpu vs reference rope " + rope + " d=" + d, results[0], results[1]);
                // in place gives the same result
                Tensor inPlace = tensor(x, tokens, heads, d);
                cpu.rope(inPlace, startPos, rope, inPlace);
                assertBitwise("cpu rope in place", results[0], inPlace.toFloatArray());
            }
        }
    }

    @Test
    void argmax_finds_the_first_largest_entry(Random random) {
        for (int d : SIZES) {
            int rows = 1 + random.nextInt(4);
            float[] x = Seeded.gaussian(random, rows * d, 1);
            int[] expected = new int[rows];
            for (int r = 0; r < rows; r++) {
                int best = random.nextInt(d);
                x[r * d + best] = 10 + random.nextFloat();
                if (best + 1 < d && random.nextBoolean()) {
                    x[r * d + d - 1] = x[r * d + best]; // a later tie must not win
                }
                expected[r] = best;
            }
            for (Ops ops : backends()) {
                int[] out = new int[rows];
                java.util.Arrays.fill(out, -1);
                ops.argmax(tensor(x, rows, d), out);
                assertArrayEquals(expected, out, ops.name() + " argmax d=" + d);
            }
        }
    }

    private static double[] twice(double[] bound) {
        double[] b = bound.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] *= 2;
        }
        return b;
    }
}
