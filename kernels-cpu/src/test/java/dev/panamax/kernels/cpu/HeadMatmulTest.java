package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Ops#headMatmul} of the reference and cpu backends (1, 2, 3 threads) against a float64 dot
 * product per head, with {@link MatmulFixtures#oracle}'s bound: every weight type, odd head counts and
 * row counts, x and out as narrowed views (as DeepSeek's latent attention passes them), out poisoned.
 */
class HeadMatmulTest {
    private static final int[] M = {1, 2, 3, HeadMatmul.GEMM_ROWS, 9};
    private static final int[] H = {1, 3, 5};
    private static final int[] N = {1, 7, 19};
    private static final int CASES_PER_TYPE = 3;
    private static final Ops[] BACKENDS = {new ReferenceOps(), new CpuOps(1), new CpuOps(2), new CpuOps(3)};

    @AfterAll
    static void close() {
        for (Ops o : BACKENDS) {
            o.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> matches_the_float64_product_of_every_head_for_every_weight_type() {
        List<DynamicTest> tests = new ArrayList<>();
        List<DType> types = new ArrayList<>(List.of(MatmulFixtures.WEIGHT_TYPES));
        types.add(DType.MXFP4);
        for (DType type : types) {
            for (int c = 0; c < CASES_PER_TYPE; c++) {
                int caseIndex = c;
                long seed = Seeded.seedFor("headMatmul-" + type, c);
                tests.add(DynamicTest.dynamicTest(type + " case " + c + " (seed " + seed + ")",
                        Seeded.replayable(() -> checkCase(type, caseIndex, new Random(seed)))));
            }
        }
        return tests.stream();
    }

    private static void checkCase(DType type, int caseIndex, Random random) {
        int block = type.blockSize();
        int k = block == 1 ? 1 + random.nextInt(70) : block * (1 + random.nextInt(block == 256 ? 2 : 3));
        // case 0 decodes (one row, the fused dispatch), case 1 prefills (GEMM per head); the rest at random
        int m = caseIndex == 0 ? 1 : caseIndex == 1 ? HeadMatmul.GEMM_ROWS + 1 : M[random.nextInt(M.length)];
        int h = H[random.nextInt(H.length)], n = N[random.nextInt(N.length)];
        try (Arena arena = Arena.ofShared()) {
            // x [M, H, K] narrowed from [M, H, K + extra] (the latent attention's q_nope inside [M, H, N + R])
            int extra = random.nextBoolean() ? 0 : 5;
            Tensor x = Tensor.of(arena, Seeded.nonZeroFloats(random, m * h * (k + extra), 2f), m, h, k + extra).narrow(2, 0, k);
            // w [H, N, K], half the time a narrowed view of [H, N + 2, K] (heads strided)
            Tensor w = random.nextBoolean() ? weight(arena, random, type, h * n, k).reshape(h, n, k)
                    : weight(arena, random, type, h * (n + 2), k).reshape(h, n + 2, k).narrow(1, 1, n);
            double[][] expected = new double[m * h * n][];
            for (int head = 0; head < h; head++) {
                Tensor wh = w.select(0, head);
                float[][] wf = MatmulFixtures.dequantized(wh);
                for (int r = 0; r < m; r++) {
                    float[] xRow = new float[k];
                    for (int j = 0; j < k; j++) {
                        xRow[j] = x.getFloat(r, head, j);
                    }
                    for (int j = 0; j < n; j++) {
                        expected[(r * h + head) * n + j] = MatmulFixtures.oracle(xRow, k, wf[j], wh, j);
                    }
                }
            }
            for (Ops ops : BACKENDS) {
                // out [M, H, N] narrowed from a NaN-poisoned [M, H, N + 3]
                Tensor whole = Tensor.allocate(arena, DType.F32, m, h, n + 3).fill(Float.NaN);
                Tensor out = whole.narrow(2, 1, n);
                ops.headMatmul(x, w, out);
                String what = ops.name() + (ops instanceof CpuOps c ? " (" + c.threads() + " threads)" : "") + ", x " + x.describe()
                        + ", w " + w.describe();
                for (int r = 0; r < m; r++) {
                    for (int head = 0; head < h; head++) {
                        for (int j = 0; j < n + 3; j++) {
                            float got = whole.getFloat(r, head, j);
                            if (j == 0 || j > n) {
                                assertTrue(Float.isNaN(got), what + ": wrote outside out at [" + r + ", " + head + ", " + j + "]");
                                continue;
                            }
                            double[] e = expected[(r * h + head) * n + j - 1];
                            assertTrue(Math.abs(got - e[0]) <= e[1], what + " at [" + r + ", " + head + ", " + (j - 1) + "]: expected "
                                    + e[0] + " +- " + e[1] + ", got " + got);
                        }
                    }
                }
            }
        }
    }

    /** {@link MatmulFixtures#weight}; MXFP4 as the quantization of Gaussian values (random bytes would give scales up to 2^127). */
    private static Tensor weight(Arena arena, Random random, DType type, int rows, int cols) {
        if (type != DType.MXFP4) {
            return MatmulFixtures.weight(arena, random, type, rows, cols);
        }
        Tensor w = Tensor.allocate(arena, type, rows, cols);
        float[] values = Seeded.gaussian(random, rows * cols, 1.0);
        for (int r = 0; r < rows; r++) {
            dev.panamax.formats.quant.Quants.quantizeRow(type, values, r * cols, cols, w.segment(), w.byteOffset() + type.byteSize((long) r * cols));
        }
        return w;
    }

    @Test
    void rejects_shapes_that_do_not_fit_naming_them() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 1, 2, 8);
            Tensor w = Tensor.allocate(arena, DType.F32, 3, 4, 8);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 2, 4);
            for (Ops ops : BACKENDS) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.headMatmul(x, w, out));
                assertTrue(e.getMessage().contains("[M, H, K]") && e.getMessage().contains("headMatmul"), e.getMessage());
                Tensor square = Tensor.allocate(arena, DType.F32, 2, 8, 8);
                IllegalArgumentException alias = assertThrows(IllegalArgumentException.class, () -> ops.headMatmul(x, square, x));
                assertTrue(alias.getMessage().contains("out"), alias.getMessage());
            }
        }
    }
}
