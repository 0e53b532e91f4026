package dev.panamax.jmh.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import dev.panamax.tensor.testing.Seeded;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The FFM binding of OpenBLAS against hand-written loops; skipped where libopenblas.so.0 is absent. */
@ExtendWith(Seeded.class)
class OpenBlasTest {
    private static final double UNIT_ROUNDOFF = Math.ulp(1.0f) / 2;

    @BeforeAll
    static void requireOpenBlas() {
        assumeTrue(OpenBlas.load().isPresent(), () -> "skipped: " + OpenBlas.unavailableReason().orElse(""));
    }

    @Test
    void sgemm_matches_a_float64_loop_with_the_weight_convention(Random random) {
        OpenBlas blas = OpenBlas.load().orElseThrow();
        int m = 1 + random.nextInt(9), n = 1 + random.nextInt(17), k = 1 + random.nextInt(70);
        try (Arena arena = Arena.ofConfined()) {
            float[] x = Seeded.nonZeroFloats(random, m * k, 1f);
            float[] w = Seeded.nonZeroFloats(random, n * k, 1f);
            MemorySegment out = arena.allocate((long) m * n * Float.BYTES);
            blas.setThreads(1);
            blas.sgemm(m, n, k, arena.allocateFrom(ValueLayout.JAVA_FLOAT, x), arena.allocateFrom(ValueLayout.JAVA_FLOAT, w), out);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double exact = 0, magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        exact += (double) x[i * k + p] * w[j * k + p];
                        magnitude += Math.abs((double) x[i * k + p] * w[j * k + p]);
                    }
                    // any float32 summation order: |error| <= gamma_k * sum |x w| (Higham), plus the final rounding
                    double bound = (k * UNIT_ROUNDOFF / (1 - k * UNIT_ROUNDOFF)) * magnitude + Math.ulp((float) exact);
                    float got = out.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * n + j);
                    assertEquals(exact, got, bound, "out[" + i + "," + j + "] of " + m + "x" + n + "x" + k);
                }
            }
        }
    }

    @Test
    void sgemv_matches_a_float64_loop(Random random) {
        OpenBlas blas = OpenBlas.load().orElseThrow();
        int n = 1 + random.nextInt(33), k = 1 + random.nextInt(90);
        try (Arena arena = Arena.ofConfined()) {
            float[] w = Seeded.nonZeroFloats(random, n * k, 1f);
            float[] x = Seeded.nonZeroFloats(random, k, 1f);
            MemorySegment y = arena.allocate((long) n * Float.BYTES);
            blas.sgemv(n, k, arena.allocateFrom(ValueLayout.JAVA_FLOAT, w), arena.allocateFrom(ValueLayout.JAVA_FLOAT, x), y);
            for (int j = 0; j < n; j++) {
                double exact = 0, magnitude = 0;
                for (int p = 0; p < k; p++) {
                    exact += (double) w[j * k + p] * x[p];
                    magnitude += Math.abs((double) w[j * k + p] * x[p]);
                }
                double bound = (k * UNIT_ROUNDOFF / (1 - k * UNIT_ROUNDOFF)) * magnitude + Math.ulp((float) exact);
                assertEquals(exact, y.getAtIndex(ValueLayout.JAVA_FLOAT, j), bound, "y[" + j + "] of " + n + "x" + k);
            }
        }
    }

    @Test
    void rejects_heap_or_too_small_operands_instead_of_crashing() {
        OpenBlas blas = OpenBlas.load().orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(4 * Float.BYTES);
            MemorySegment heap = MemorySegment.ofArray(new float[16]);
            var e = assertThrows(IllegalArgumentException.class, () -> blas.sgemm(4, 4, 4, small, small, small));
            assertTrue(e.getMessage().contains("x"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> blas.sgemv(4, 4, heap, small, small));
        }
    }

    @Test
    void thread_count_can_be_set() {
        OpenBlas blas = OpenBlas.load().orElseThrow();
        blas.setThreads(1);
        assertEquals(1, blas.threads());
    }
}
