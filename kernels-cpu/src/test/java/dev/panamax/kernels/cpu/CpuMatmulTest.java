package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
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
 * CpuMatmul and ReferenceMatmul against a float64 dot product of the weights as the formats
 * module decodes them, for every weight dtype, odd shapes, strided views and 1, 2 and 3 threads
 * (each thread count within the bound: lanes may be reduced in another order once compiled).
 * The error bound is derived in {@link MatmulFixtures#oracle}.
 */
class CpuMatmulTest {
    private static final int[] M = {1, 2, 3, 5, 17, 67};
    private static final int[] N = {1, 3, 31, 65, 129};
    private static final int[] K_PLAIN = {1, 7, 33, 96, 257, 4100};
    private static final int[] K_32 = {32, 96, 224, 768, 4128};
    private static final int[] K_256 = {256, 768, 1280, 4352};
    private static final int CASES_PER_TYPE = 5;

    private static final ParallelFor[] POOLS = {new ParallelFor(1), new ParallelFor(2), new ParallelFor(3)};
    private static final long DEFAULT_SCALAR = SmallShapes.defaults().matmulWork();
    /**
     * The default choices (OpenBLAS for wide batches where installed, scalar small shapes) on 1, 2 and 3
     * threads, then the pure Java GEMM always, the vector paths on every size and the scalar one on every size.
     */
    private static final CpuMatmul[] MATMULS = {new CpuMatmul(POOLS[0]), new CpuMatmul(POOLS[1]), new CpuMatmul(POOLS[2]),
            new CpuMatmul(POOLS[1], null, DEFAULT_SCALAR), new CpuMatmul(POOLS[1], null, 0), new CpuMatmul(POOLS[0], null, Long.MAX_VALUE),
            new CpuMatmul(POOLS[1], null, 0, DotRoutes.FLOAT), new CpuMatmul(POOLS[1], null, 0, DotRoutes.INTEGER),
            new CpuMatmul(POOLS[1], null, 0, DotRoutes.FLOAT.withKQuant(DotRoutes.KQuantDot.ONE_ROW)),
            new CpuMatmul(POOLS[1], null, 0, DotRoutes.FLOAT.withKQuant(DotRoutes.KQuantDot.TWO_ROWS)),
            new CpuMatmul(POOLS[1], null, 0, DotRoutes.MACHINE, GemmRoutes.STRIDED), new CpuMatmul(POOLS[0], null, 0, DotRoutes.MACHINE, GemmRoutes.PACKED)};
    private static final String[] PATHS = {"1 thread (" + CpuMatmul.wideBatchGemm() + ")", "2 threads (" + CpuMatmul.wideBatchGemm() + ")",
            "3 threads (" + CpuMatmul.wideBatchGemm() + ")", "2 threads, pure Java", "2 threads, pure Java, no scalar path",
            "the scalar path", "2 threads, no scalar path, float decode dots forced", "2 threads, no scalar path, integer decode dots forced",
            "2 threads, no scalar path, one-row K-quant dots forced", "2 threads, no scalar path, two-row K-quant dots forced",
            "2 threads, pure Java, strided GEMM tiles forced", "1 thread, pure Java, packed GEMM tiles forced"};

    @AfterAll
    static void closePools() {
        for (ParallelFor p : POOLS) {
            p.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> matches_the_float64_dot_product_for_every_weight_type() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : MatmulFixtures.WEIGHT_TYPES) {
            for (int c = 0; c < CASES_PER_TYPE; c++) {
                int caseIndex = c;
                long seed = Seeded.seedFor("matmul-" + type, c);
                tests.add(DynamicTest.dynamicTest(type + " case " + c + " (seed " + seed + ")",
                        Seeded.replayable(() -> checkCase(type, caseIndex, new Random(seed)))));
            }
        }
        return tests.stream();
    }

    private static void checkCase(DType type, int caseIndex, Random random) {
        int[] ks = type.blockSize() == 256 ? K_256 : type.blockSize() == 32 ? K_32 : K_PLAIN;
        int k = ks[random.nextInt(ks.length)];
        int n = N[random.nextInt(N.length)];
        int m;
        do { // keep a case under ~0.5M multiply-adds so the class runs in seconds
            m = M[random.nextInt(M.length)];
        } while ((long) m * n * k > 500_000 && m > 1);
        if (caseIndex < 3) { // every dtype meets all paths: matrix-vector (M = 1), GEMM packing w (M = 11), GEMM packing x (M = 33)
            m = caseIndex == 0 ? 1 : caseIndex == 1 ? 11 : 33;
            k = Math.min(k, ks[ks.length - 2]);
            n = Math.min(n, 65);
        }
        if (caseIndex == 2) { // more than one K slice of the wide-batch GEMM, so slices accumulate
            k = type.blockSize() == 1 ? CpuMatmul.KC_WIDE + 7 : java.util.Arrays.stream(ks).filter(v -> v > CpuMatmul.KC_WIDE).findFirst().getAsInt();
            n = 31;
        }
        if (caseIndex == 3) { // wide-batch GEMM tasks of the full NC_WIDE weight rows and a partial last one (on one thread)
            m = CpuMatmul.WIDE_BATCH_ROWS + 1;
            n = 2 * CpuMatmul.NC_WIDE + 13;
            k = ks[1];
        }
        if (caseIndex == 4) { // tasks of the packed route's full NC_WIDE_PACKED rows and a partial last one
            m = CpuMatmul.WIDE_BATCH_ROWS + 1;
            n = CpuMatmul.NC_WIDE_PACKED + 13;
            k = ks[1];
        }
        try (Arena arena = Arena.ofShared()) {
            Tensor w = strided(arena, random, type, n, k);
            Tensor x = strided(arena, random, DType.F32, m, k);
            float[][] wf = MatmulFixtures.dequantized(w);
            float[] xf = new float[m * k];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < k; j++) {
                    xf[i * k + j] = x.getFloat(i, j);
                }
            }
            String what = "x " + x.describe() + " w " + w.describe();
            float[] reference = run(arena, random, m, n, out -> ReferenceMatmul.matmul(x, w, out));
            float[][] cpu = new float[MATMULS.length][];
            for (int t = 0; t < MATMULS.length; t++) {
                CpuMatmul matmul = MATMULS[t];
                cpu[t] = run(arena, random, m, n, out -> matmul.matmul(x, w, out));
            }
            for (int i = 0; i < m; i++) {
                float[] xRow = java.util.Arrays.copyOfRange(xf, i * k, (i + 1) * k);
                for (int j = 0; j < n; j++) {
                    double[] oracle = MatmulFixtures.oracle(xRow, k, wf[j], w, j);
                    double bound = oracle[1];
                    float ref = reference[i * n + j];
                    String at = what + " at [" + i + ", " + j + "]: expected " + oracle[0] + " +- " + bound;
                    for (int t = 0; t < cpu.length; t++) {
                        float got = cpu[t][i * n + j];
                        assertTrue(Math.abs(got - oracle[0]) <= bound, at + ", CpuMatmul on " + PATHS[t] + " gave " + got);
                    }
                    assertTrue(Math.abs(ref - oracle[0]) <= bound, at + ", ReferenceMatmul gave " + ref);
                }
            }
        }
    }

    /** A {@code [rows, cols]} tensor, half the time a view into a wider, taller one (strided rows, offset start). */
    private static Tensor strided(Arena arena, Random random, DType type, int rows, int cols) {
        if (random.nextBoolean()) {
            return type == DType.F32
                    ? Tensor.of(arena, Seeded.nonZeroFloats(random, rows * cols, 2f), rows, cols)
                    : MatmulFixtures.weight(arena, random, type, rows, cols);
        }
        int block = type.blockSize();
        int extraCols = block * (1 + random.nextInt(2));
        int offset = block * random.nextInt(extraCols / block + 1);
        Tensor wide = type == DType.F32
                ? Tensor.of(arena, Seeded.nonZeroFloats(random, (rows + 2) * (cols + extraCols), 2f), rows + 2, cols + extraCols)
                : MatmulFixtures.weight(arena, random, type, rows + 2, cols + extraCols);
        return wide.narrow(1, offset, cols).rows(1, rows);
    }

    /**
     * Runs {@code op} into an out tensor poisoned with NaN, half the time a strided view; checks that
     * nothing outside the view was written, and returns the result row-major.
     */
    private static float[] run(Arena arena, Random random, int m, int n, java.util.function.Consumer<Tensor> op) {
        int extra = random.nextBoolean() ? 0 : 3;
        Tensor whole = Tensor.allocate(arena, DType.F32, m, n + extra).fill(Float.NaN);
        Tensor out = whole.narrow(1, extra == 0 ? 0 : 1, n);
        op.accept(out);
        float[] all = whole.toFloatArray();
        float[] result = new float[m * n];
        int start = extra == 0 ? 0 : 1;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n + extra; j++) {
                float v = all[i * (n + extra) + j];
                boolean inside = j >= start && j < start + n;
                if (inside) {
                    assertTrue(!Float.isNaN(v), "out[" + i + ", " + (j - start) + "] was not written");
                    result[i * n + j - start] = v;
                } else {
                    assertTrue(Float.isNaN(v), "wrote outside out at column " + j + " of the underlying tensor");
                }
            }
        }
        return result;
    }

    @Test
    void rejects_mismatched_shapes_and_dtypes_naming_them() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 2, 64);
            Tensor w = Tensor.allocate(arena, DType.Q8_0, 3, 64);
            Tensor wrongK = Tensor.allocate(arena, DType.Q8_0, 3, 32);
            Tensor out = Tensor.allocate(arena, DType.F32, 2, 3);
            Tensor wrongOut = Tensor.allocate(arena, DType.F32, 2, 4);
            Tensor f16x = Tensor.allocate(arena, DType.F16, 2, 64);
            Tensor q8k = Tensor.allocate(arena, DType.Q8_K, 3, 256);
            CpuMatmul matmul = MATMULS[1];
            var e = assertThrows(IllegalArgumentException.class, () -> matmul.matmul(x, wrongK, out));
            assertTrue(e.getMessage().contains("F32[2, 64]") && e.getMessage().contains("Q8_0[3, 32]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> matmul.matmul(x, w, wrongOut));
            assertTrue(e.getMessage().contains("F32[2, 4]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ReferenceMatmul.matmul(f16x, w, out));
            assertTrue(e.getMessage().contains("must be F32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> matmul.matmul(Tensor.allocate(arena, DType.F32, 2, 256), q8k, out));
            assertTrue(e.getMessage().contains("Q8_K"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> matmul.matmul(x.transpose(0, 1), w, out));
            assertTrue(e.getMessage().contains("F32[64, 2]"), e.getMessage());
        }
    }

    @Test
    void an_empty_inner_dimension_gives_zeros() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 5, 0);
            Tensor w = Tensor.allocate(arena, DType.F32, 3, 0);
            for (CpuMatmul matmul : MATMULS) {
                Tensor out = Tensor.allocate(arena, DType.F32, 5, 3).fill(Float.NaN);
                matmul.matmul(x, w, out);
                assertArrayEquals(new float[15], out.toFloatArray());
                Tensor one = Tensor.allocate(arena, DType.F32, 1, 3).fill(Float.NaN);
                matmul.matmul(x.rows(0, 1), w, one);
                assertArrayEquals(new float[3], one.toFloatArray());
            }
            assertEquals(0, x.numel());
        }
    }
}
