package dev.panamax.jmh.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.FloatConversions;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Benchmark inputs: right sizes, finite values, sane scales, and the same data on every run. */
class RandomTensorsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void weights_have_the_layout_size_and_finite_scales(DType dtype) {
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
            } else if (RandomTensors.quantizersMissing().isPresent()) {
                for (long b = 0; b < m.byteSize() / dtype.bytesPerBlock(); b++) {
                    for (int off : RandomTensors.scaleOffsets(dtype)) {
                        float scale = FloatConversions.f16ToF32(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, b * dtype.bytesPerBlock() + off));
                        assertTrue(scale >= 0.002f && scale <= 0.0061f, dtype + " block " + b + " scale " + scale);
                    }
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
