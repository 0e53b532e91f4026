package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The optional OpenBLAS path: without the library (or disabled) the choice is pure Java and says why;
 * with it, sgemm on Panamax's layout (x row-major, w row-major and transposed, strided out) matches a
 * float64 product within {@code gamma_K sum |x w|} (any summation order). CpuMatmulTest runs the
 * matmuls both ways where the library is installed.
 */
@ExtendWith(Seeded.class)
class OpenBlasGemmTest {
    private static final double U = Math.ulp(1.0f) / 2;

    @Test
    void a_missing_library_leaves_pure_java_and_names_the_file() {
        OpenBlasGemm.Choice choice = OpenBlasGemm.load(true, "/nonexistent/libopenblas-absent.so");
        assertNull(choice.gemm());
        assertTrue(choice.description().startsWith("pure Java") && choice.description().contains("libopenblas-absent.so"),
                choice.description());
    }

    @Test
    void the_property_disables_it() {
        OpenBlasGemm.Choice choice = OpenBlasGemm.load(false, OpenBlasGemm.DEFAULT_LIBRARY);
        assertNull(choice.gemm());
        assertTrue(choice.description().contains("-Dpanamax.blas=false"), choice.description());
    }

    @Test
    void sse_era_cores_are_refused_where_vectors_are_wider() {
        assertTrue(OpenBlasGemm.isSseEraCore("Prescott"));
        assertTrue(!OpenBlasGemm.isSseEraCore("SkylakeX") && !OpenBlasGemm.isSseEraCore("Haswell"));
    }

    @Test
    void where_installed_sgemm_matches_float64_on_strided_operands(Random random) {
        var gemm = OpenBlasGemm.shared();
        assumeTrue(gemm.isPresent(), () -> "OpenBLAS not used here: " + OpenBlasGemm.describe());
        for (int round = 0; round < 10; round++) {
            int m = 1 + random.nextInt(70), n = 1 + random.nextInt(70), k = 1 + random.nextInt(300);
            int ldb = k + random.nextInt(4), ldc = n + random.nextInt(4);
            float[] x = Seeded.nonZeroFloats(random, m * k, 2f), w = Seeded.nonZeroFloats(random, n * ldb, 2f);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(4L * m * ldc);
                out.fill((byte) 0xFF); // NaN everywhere: beta = 0 must not read it
                gemm.get().sgemm(m, n, k, MemorySegment.ofArray(x), k, MemorySegment.ofArray(w), ldb, out, ldc);
                double gamma = k * U / (1 - k * U);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < ldc; j++) {
                        float got = out.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * ldc + j);
                        if (j >= n) {
                            assertTrue(Float.isNaN(got), "wrote past n at [" + i + ", " + j + "]");
                            continue;
                        }
                        double sum = 0, abs = 0;
                        for (int q = 0; q < k; q++) {
                            double p = (double) x[i * k + q] * w[j * ldb + q];
                            sum += p;
                            abs += Math.abs(p);
                        }
                        assertTrue(Math.abs(got - sum) <= gamma * abs, m + "x" + n + "x" + k + " at [" + i + ", " + j + "]: " + got + " vs " + sum);
                    }
                }
            }
        }
    }
}
