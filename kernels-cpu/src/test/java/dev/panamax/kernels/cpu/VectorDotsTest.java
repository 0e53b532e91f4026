package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 256-bit integer decode dots ({@link VectorDots}, the AVX2 path; they run on every machine) against
 * a float64 dot of the weights as {@link Quants} decodes them with the activations as
 * {@link QuantizedActivations} quantized them ({@code d q}). The integer products and their sums are
 * exact, so the bound is float rounding only: tight enough to catch a wrong bit, offset or a 16-bit
 * overflow. Block counts are odd and even (the kernels take two blocks per step, then a tail), the
 * dotted row is the second of two (activation offsets), and one trial in four saturates the
 * activations ({@code |q| = 127} everywhere, the largest products; with random weight bytes, Q8_0's
 * -128 too).
 */
@ExtendWith(Seeded.class)
class VectorDotsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void integer_decode_dots_match_a_float64_dot_of_decoded_weights_and_activations(DType type, Random random) {
        int blockSize = type.blockSize();
        int actBlock = blockSize == 256 ? 256 : 32;
        for (int trial = 0; trial < 24; trial++) {
            int k = blockSize * (1 + random.nextInt(4096 / blockSize));
            float[] x = new float[2 * k];
            if (trial % 4 == 3) { // one magnitude: every block quantizes to +-127
                for (int i = 0; i < x.length; i++) {
                    x[i] = random.nextBoolean() ? 1.5f : -1.5f;
                }
            } else {
                x = Seeded.nonZeroFloats(random, 2 * k, 2f);
            }
            QuantizedActivations a = new QuantizedActivations();
            a.quantize(x, 2, k, actBlock);
            try (Arena arena = Arena.ofConfined()) {
                Tensor weight = MatmulFixtures.weight(arena, random, type, 1, k);
                MemorySegment w = weight.segment();
                long at = weight.byteOffset();
                float[] y = new float[k];
                Quants.dequantizeRow(type, w, at, y, 0, k);
                // y = scale_j q - min_j (Q4_K, Q5_K; Q4_0: d (q - 8)): the kernels sum both terms apart, so their rounding
                // scales with |scale_j q| <= |y| + |min_j| each
                float[] mins = new float[k / 32];
                float[] scales = new float[k / 32];
                if (type == DType.Q4_K || type == DType.Q5_K) {
                    VectorDots.kScales(w, at, k / 256, (int) type.bytesPerBlock(), scales, mins);
                }
                if (type == DType.Q4_0) {
                    for (int j = 0; j < k / 32; j++) {
                        mins[j] = 8 * Math.abs(Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 18L * j)));
                    }
                }
                double expected = 0, magnitude = 0;
                for (int i = 0; i < k; i++) {
                    double xi = (double) a.d[(k + i) / actBlock] * a.q[k + i];
                    expected += y[i] * xi;
                    magnitude += (Math.abs((double) y[i]) + 2 * Math.abs((double) mins[i / 32])) * Math.abs(xi);
                }
                float actual = switch (type) {
                    case Q8_0 -> VectorDots.dotQ8_0(w, at, a.q, a.d, k, k / 32);
                    case Q4_0 -> VectorDots.dotQ4_0(w, at, a.q, a.d, a.sums, k, k / 32);
                    case Q4_K -> VectorDots.dotQ4_K(w, at, scales, mins, a.q, a.d, a.sums, k, k / 256);
                    case Q5_K -> VectorDots.dotQ5_K(w, at, scales, mins, a.q, a.d, a.sums, k, k / 256);
                    default -> VectorDots.dotQ6_K(w, at, a.q, a.d, k, k / 256);
                };
                // float sums of k products in any order: gamma_(k+2) * sum|y x|; plus up to 4u per term for the roundings
                // of y = d * q (- m) in the decoder, of the scale products and of int-to-float conversions in the kernel
                double u = 0x1p-24;
                double gamma = (k + 2) * u / (1 - (k + 2) * u);
                double bound = (gamma + 4 * u) * magnitude;
                assertEquals(expected, actual, bound, type + " k=" + k + " trial " + trial);
            }
        }
    }
}
