package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.CPU_EXP;
import static dev.panamax.kernels.cpu.Fixtures.SIZES;
import static dev.panamax.kernels.cpu.Fixtures.U;
import static dev.panamax.kernels.cpu.Fixtures.assertWithin;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;
import static dev.panamax.kernels.cpu.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code softcap}, {@code geglu} and {@code clampedSwiglu} of both backends against float64, on every kind of tail
 * ({@link Fixtures#SIZES}), with first-order bounds as in {@link KernelAccuracyTest}: the reference computes in
 * double and rounds once ({@code u}); the cpu kernels' bounds are derived per kernel below.
 */
@ExtendWith(Seeded.class)
class GatedAndCappedActivationsTest {
    private static final ReferenceOps REFERENCE = new ReferenceOps();
    private static final CpuOps CPU = new CpuOps(3);
    private static final double TINY = Float.MIN_NORMAL;
    private static final double ROUNDED_ONCE = U * (1 + 1e-6);

    @AfterAll
    static void close() {
        CPU.close();
    }

    @Test
    void softcap_matches_float64_within_the_tanh_bound(Random random) {
        for (int n : SIZES) {
            float cap = (float) (0.5 + 50 * random.nextDouble());
            // from far inside the linear part (|x| << cap) to saturation (|x| >> cap)
            float[] x = Seeded.gaussian(random, n, cap * Math.pow(10, random.nextInt(4) - 2));
            for (Ops ops : new Ops[] {REFERENCE, CPU}) {
                double[] truth = new double[n];
                double[] bound = new double[n];
                for (int i = 0; i < n; i++) {
                    double y = x[i] / (double) cap;
                    truth[i] = cap * Math.tanh(y);
                    // cpu: x / cap rounded (u, and tanh's condition number 2y/sinh 2y <= 1 keeps it u), then
                    // VectorMath.tanh (8.5u polynomial; exp's error times 1.92 plus 3u beyond), times cap (u)
                    double rel = ops == CPU ? U + Math.max(8.5 * U, VectorMath.EXP_ULPS * 2 * U * 1.92 + 3 * U) + U
                            : ROUNDED_ONCE;
                    bound[i] = 1.01 * rel * Math.abs(truth[i]) + TINY;
                }
                Tensor out = poisoned(n);
                ops.softcap(tensor(x, n), cap, out);
                assertWithin(ops.name() + " softcap cap=" + cap + " n=" + n, out.toFloatArray(), truth, bound);
            }
        }
    }

    @Test
    void geglu_is_gelu_of_the_gate_times_up(Random random) {
        for (int n : SIZES) {
            float[] g = Seeded.gaussian(random, n, 2.5);
            float[] up = Seeded.nonZeroFloats(random, n, 3f);
            for (Gelu form : Gelu.values()) {
                for (Ops ops : new Ops[] {REFERENCE, CPU}) {
                    double[] truth = new double[n];
                    double[] bound = new double[n];
                    for (int i = 0; i < n; i++) {
                        double gelu;
                        double rel;
                        if (form == Gelu.TANH) {
                            double y = Math.sqrt(2 / Math.PI) * (g[i] + 0.044715 * g[i] * g[i] * g[i]);
                            gelu = g[i] / (1 + Math.exp(-2 * y));
                            rel = ops == CPU ? 6 * U * Math.abs(2 * y) + CPU_EXP + 2 * U : ROUNDED_ONCE;
                        } else {
                            double z = g[i] / Math.sqrt(2);
                            gelu = 0.5 * g[i] * TestErf.onePlusErf(z);
                            rel = ops == CPU ? 2 * U * (2 * z * z + 2 * Math.abs(z)) + 1.2e-7
                                    + (z * z + 2 * VectorMath.EXP_ULPS + 8) * U + U : ROUNDED_ONCE;
                        }
                        truth[i] = gelu * up[i];
                        // the gelu's error, then the product with up (u)
                        bound[i] = 1.01 * (rel + U) * Math.abs(truth[i]) + TINY * (1 + Math.abs(g[i])) * Math.abs(up[i]);
                    }
                    Tensor out = poisoned(n);
                    ops.geglu(tensor(g, n), tensor(up, n), form, out);
                    assertWithin(ops.name() + " geglu " + form + " n=" + n, out.toFloatArray(), truth, bound);
                }
            }
        }
    }

    @Test
    void clamped_swiglu_clamps_gate_and_up_as_gpt_oss(Random random) {
        float alpha = 1.702f;
        float limit = 7f;
        for (int n : SIZES) {
            // wide enough that many gates pass the limit and many ups leave [-limit, limit]
            float[] g = Seeded.gaussian(random, n, 8);
            float[] up = Seeded.gaussian(random, n, 8);
            for (Ops ops : new Ops[] {REFERENCE, CPU}) {
                double[] truth = new double[n];
                double[] bound = new double[n];
                for (int i = 0; i < n; i++) {
                    double gc = Math.min(g[i], limit);
                    double uc = Math.max(-limit, Math.min(up[i], limit));
                    double glu = gc / (1 + Math.exp(-(double) alpha * gc));
                    truth[i] = (uc + 1) * glu;
                    // cpu: alpha g rounded (u |alpha g| after exp), exp, + 1, division, up + 1, product
                    double rel = ops == CPU ? U * Math.abs(alpha * gc) + CPU_EXP + 4 * U : ROUNDED_ONCE;
                    bound[i] = 1.01 * rel * Math.abs(truth[i]) + TINY * (1 + Math.abs(gc)) * (1 + Math.abs(uc));
                }
                Tensor out = poisoned(n);
                ops.clampedSwiglu(tensor(g, n), tensor(up, n), alpha, limit, out);
                assertWithin(ops.name() + " clampedSwiglu n=" + n, out.toFloatArray(), truth, bound);
            }
        }
    }

    @Test
    void bad_parameters_are_rejected_naming_them() {
        Tensor x = tensor(new float[] {1, 2, 3}, 3);
        for (Ops ops : new Ops[] {REFERENCE, CPU}) {
            for (float cap : new float[] {0, -1, Float.NaN, Float.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.softcap(x, cap, poisoned(3)));
                assertTrue(e.getMessage().contains("cap"), e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ops.clampedSwiglu(x, x, 1.702f, 0, poisoned(3)));
            assertTrue(e.getMessage().contains("limit"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ops.clampedSwiglu(x, x, Float.NaN, 7, poisoned(3)));
            assertThrows(IllegalArgumentException.class, () -> ops.geglu(x, tensor(new float[] {1, 2}, 2), Gelu.TANH, poisoned(3)));
        }
    }
}
