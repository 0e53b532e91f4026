package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code Ops.addLowRank}, {@code out += (x · aᵀ) · bᵀ}: the cpu backend's fused decode path ({@link LowRankAdd}) and the
 * default (two matmuls and an add: the reference backend, and the cpu backend past {@link LowRankAdd#MAX_ROWS} rows)
 * on random shapes with odd sizes and tails, ranks 1 to 40 (whole vectors, the 8-lane part, scalar tails), against
 * float64 within a derived bound; each row of the fused path is what it is alone, bit for bit, whatever the other rows
 * and wherever it falls in the four-row blocks.
 *
 * <p>The bound, with {@code u = 2^-24} and {@code gamma_n = n u / (1 - n u)}: the factors are exact in float (F16 and
 * BF16 decode exactly), so {@code l_t = fl(x · a_t)} in any order is within {@code gamma_K S_t} of the exact
 * {@code L_t}, {@code S_t = sum_k |x_k a_tk|}; {@code d_j = fl(sum_t l_t b_jt)} is within
 * {@code gamma_R sum_t |l_t| |b_jt|} of its exact sum, and {@code sum_t |l_t - L_t| |b_jt| <= gamma_K sum_t S_t |b_jt|};
 * {@code fl(o_j + d_j)} adds {@code u |o_j + d_j|}. With {@code |l_t| <= |L_t| + gamma_K S_t =: l'_t} and
 * {@code T_j = sum_t l'_t |b_jt|}: {@code |out_j - (o_j + sum_t L_t b_jt)| <= u (|o_j| + 2 T_j) + gamma_R T_j + gamma_K
 * sum_t S_t |b_jt|}, the same for both paths.
 */
@ExtendWith(Seeded.class)
class LowRankAddTest {
    private static final double U = Math.ulp(1.0f) / 2;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void fused_and_default_paths_are_within_the_bound_of_float64(DType aType, Random random) {
        try (CpuOps cpu = new CpuOps(2); Ops reference = new ReferenceOps()) {
            for (int trial = 0; trial < 40; trial++) {
                int m = 1 + random.nextInt(LowRankAdd.MAX_ROWS + 3); // past MAX_ROWS: the default path
                Case c = new Case(random, aType, m, 1 + random.nextInt(300), rank(random), 1 + random.nextInt(70));
                for (Ops ops : new Ops[] {cpu, reference}) {
                    try (Arena arena = Arena.ofShared()) {
                        Tensor out = c.run(arena, ops);
                        c.check(out, ops.name() + " " + c);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void each_row_is_what_it_is_alone_wherever_it_falls(DType aType, Random random) {
        try (CpuOps cpu = new CpuOps(1)) {
            for (int trial = 0; trial < 30; trial++) {
                int m = 1 + random.nextInt(LowRankAdd.MAX_ROWS);
                Case c = new Case(random, aType, m, 1 + random.nextInt(300), rank(random), 2 + random.nextInt(70));
                try (Arena arena = Arena.ofShared()) {
                    float[] all = c.run(arena, cpu).toFloatArray();
                    for (int i = 0; i < m; i++) {
                        // row i alone
                        Tensor x = c.x(arena).rows(i, 1);
                        Tensor out = c.out(arena).rows(i, 1);
                        cpu.addLowRank(x, c.a(arena), c.b(arena), poisoned(arena, 1, c.r), poisoned(arena, 1, c.n), out);
                        float[] alone = out.toFloatArray();
                        // and with the rows of b and out shifted by one: row j + 1 of the change falls where row j was
                        Tensor shiftedOut = c.out(arena).rows(i, 1).narrow(1, 1, c.n - 1);
                        cpu.addLowRank(x, c.a(arena), c.b(arena).rows(1, c.n - 1), poisoned(arena, 1, c.r),
                                poisoned(arena, 1, c.n - 1), shiftedOut);
                        float[] shifted = shiftedOut.toFloatArray();
                        for (int j = 0; j < c.n; j++) {
                            assertEquals(Float.floatToRawIntBits(all[i * c.n + j]), Float.floatToRawIntBits(alone[j]),
                                    c + " row " + i + " column " + j + " alone");
                            if (j > 0) {
                                assertEquals(Float.floatToRawIntBits(alone[j]), Float.floatToRawIntBits(shifted[j - 1]),
                                        c + " row " + i + " column " + j + " shifted");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void low_is_left_holding_x_times_a_transposed(Random random) {
        try (CpuOps cpu = new CpuOps(1); Arena arena = Arena.ofShared()) {
            Case c = new Case(random, DType.F16, 3, 77, 16, 33);
            Tensor low = poisoned(arena, c.m, c.r);
            cpu.addLowRank(c.x(arena), c.a(arena), c.b(arena), low, poisoned(arena, c.m, c.n), c.out(arena));
            float[] l = low.toFloatArray();
            for (int i = 0; i < c.m; i++) {
                for (int t = 0; t < c.r; t++) {
                    double exact = 0, s = 0;
                    for (int q = 0; q < c.k; q++) {
                        exact += (double) c.x[i * c.k + q] * c.a[t * c.k + q];
                        s += Math.abs((double) c.x[i * c.k + q] * c.a[t * c.k + q]);
                    }
                    assertTrue(Math.abs(l[i * c.r + t] - exact) <= gamma(c.k) * s, c + " low " + i + ", " + t);
                }
            }
        }
    }

    @Test
    void shapes_that_do_not_fit_are_refused(Random random) {
        try (CpuOps cpu = new CpuOps(1); Arena arena = Arena.ofShared()) {
            Case c = new Case(random, DType.F16, 1, 64, 16, 32);
            Tensor wrongB = Tensor.of(arena, Seeded.gaussian(random, 32 * 15, 1.0), 32, 15);
            assertThrows(IllegalArgumentException.class, () -> cpu.addLowRank(c.x(arena), c.a(arena), wrongB,
                    poisoned(arena, 1, 16), poisoned(arena, 1, 32), c.out(arena)));
            Tensor wrongOut = Tensor.of(arena, Seeded.gaussian(random, 31, 1.0), 1, 31);
            assertThrows(IllegalArgumentException.class, () -> cpu.addLowRank(c.x(arena), c.a(arena), c.b(arena),
                    poisoned(arena, 1, 16), poisoned(arena, 1, 32), wrongOut));
        }
    }

    /** Ranks with whole 16- and 8-lane vectors, their mixes and scalar tails. */
    private static int rank(Random random) {
        int[] common = {4, 8, 16, 32, 64};
        return random.nextBoolean() ? common[random.nextInt(common.length)] : 1 + random.nextInt(40);
    }

    private static double gamma(int n) {
        return n * U / (1 - n * U);
    }

    private static Tensor poisoned(Arena arena, int rows, int cols) {
        float[] nan = new float[rows * cols];
        java.util.Arrays.fill(nan, Float.NaN);
        return Tensor.of(arena, nan, rows, cols);
    }

    /** One random problem: x [m, k], a [r, k] of aType (its float values exact), b [n, r], out [m, n]. */
    private static final class Case {
        final DType aType;
        final int m, k, r, n;
        final float[] x, a, b, out;

        Case(Random random, DType aType, int m, int k, int r, int n) {
            this.aType = aType;
            this.m = m;
            this.k = k;
            this.r = r;
            this.n = n;
            x = Seeded.gaussian(random, m * k, 1.0);
            float[] raw = Seeded.gaussian(random, r * k, 0.1);
            try (Arena arena = Arena.ofShared()) { // the values a's dtype holds
                a = Tensor.of(arena, raw, r, k).to(arena, aType).to(arena, DType.F32).toFloatArray();
            }
            b = Seeded.gaussian(random, n * r, 0.05);
            out = Seeded.gaussian(random, m * n, 1.0);
        }

        Tensor x(Arena arena) {
            return Tensor.of(arena, x, m, k);
        }

        Tensor a(Arena arena) {
            Tensor f32 = Tensor.of(arena, a, r, k);
            return aType == DType.F32 ? f32 : f32.to(arena, aType);
        }

        Tensor b(Arena arena) {
            return Tensor.of(arena, b, n, r);
        }

        Tensor out(Arena arena) {
            return Tensor.of(arena, out, m, n);
        }

        Tensor run(Arena arena, Ops ops) {
            Tensor o = out(arena);
            ops.addLowRank(x(arena), a(arena), b(arena), poisoned(arena, m, r), poisoned(arena, m, n), o);
            return o;
        }

        void check(Tensor result, String what) {
            float[] got = result.toFloatArray();
            for (int i = 0; i < m; i++) {
                double[] exactLow = new double[r], s = new double[r];
                for (int t = 0; t < r; t++) {
                    for (int q = 0; q < k; q++) {
                        double p = (double) x[i * k + q] * a[t * k + q];
                        exactLow[t] += p;
                        s[t] += Math.abs(p);
                    }
                }
                for (int j = 0; j < n; j++) {
                    double exact = out[i * n + j], tj = 0, sb = 0;
                    for (int t = 0; t < r; t++) {
                        double bjt = b[j * r + t];
                        exact += exactLow[t] * bjt;
                        tj += (Math.abs(exactLow[t]) + gamma(k) * s[t]) * Math.abs(bjt);
                        sb += s[t] * Math.abs(bjt);
                    }
                    double bound = U * (Math.abs(out[i * n + j]) + 2 * tj) + gamma(r) * tj + gamma(k) * sb;
                    double error = Math.abs(got[i * n + j] - exact);
                    assertTrue(error <= bound, what + " row " + i + " column " + j + ": error " + error + " > bound " + bound);
                }
            }
        }

        @Override
        public String toString() {
            return "M " + m + " K " + k + " R " + r + " N " + n + " a " + aType;
        }
    }
}
