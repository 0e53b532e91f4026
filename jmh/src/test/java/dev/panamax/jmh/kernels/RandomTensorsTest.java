package dev.panamax.jmh.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Benchmark inputs: right sizes, finite values, sane scales, and the same data on every run. */
class RandomTensorsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void weights_have_the_layout_size_and_random_finite_values(DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = new RandomTensors(42).weights(arena, dtype, 3, 512);
            assertEquals(dtype, w.dtype());
            assertEquals(dtype.byteSize(3 * 512), w.byteSize());
            MemorySegment m = w.data();
            if (!dtype.isQuantized()) {
                float[] values = w.toFloatArray();
                for (float v : values) {
                    assertTrue(Float.isFinite(v) && Math.abs(v) <= 1f, dtype + " value " + v);
                }
                assertTrue(java.util.Arrays.stream(toDoubles(values)).distinct().count() > 200, "values are random");
            } else {
                float[] row = new float[512];
                for (int r = 0; r < 3; r++) {
                    Quants.dequantizeRow(dtype, m, r * dtype.byteSize(512), row, 0, 512);
                    for (float v : row) {
                        // inputs are uniform in [-1, 1); block scales (6-bit sub-scales in K-quants) may round up a few percent
                        assertTrue(Float.isFinite(v) && Math.abs(v) <= 1.15f, dtype + " row " + r + " value " + v);
                    }
                    assertTrue(java.util.stream.IntStream.range(0, 512).filter(i -> row[i] != 0).count() > 256,
                            dtype + " row " + r + " is random, not zero");
                }
            }
        }
    }

    @Test
    void the_same_seed_gives_the_same_data() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] a = new RandomTensors(7).weights(arena, DType.Q4_K, 2, 256).data().toArray(ValueLayout.JAVA_BYTE);
            byte[] b = new RandomTensors(7).weights(arena, DType.Q4_K, 2, 256).data().toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(a, b);
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
