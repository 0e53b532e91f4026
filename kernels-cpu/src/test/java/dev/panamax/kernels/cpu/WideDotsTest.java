package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 512-bit decode dots against a float64 dot of the weights as {@link Quants} decodes them. These
 * kernels meet float activations (no 8-bit activation quantization), so the bound is float rounding
 * only, tight enough to catch a wrong bit or offset in a block layout (a 1-LSB error in every quant
 * moves the result by about |d| per group, far above it).
 */
@ExtendWith(Seeded.class)
class WideDotsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void wide_decode_dots_match_a_float64_dot_of_the_decoded_weights(DType type, Random random) {
        assumeTrue(WideDots.AVAILABLE, "the 512-bit kernels run only where the preferred vectors are 512 bits wide");
        int blockSize = type.blockSize();
        for (int trial = 0; trial < 20; trial++) {
            int k = blockSize * (1 + random.nextInt(4096 / blockSize)); // odd block counts included
            float[] values = Seeded.gaussian(random, k, 0.5);
            float[] x = Seeded.nonZeroFloats(random, k, 2f);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = arena.allocate(type.byteSize(k));
                Quants.quantizeRow(type, values, 0, k, w, 0);
                float[] y = new float[k];
                Quants.dequantizeRow(type, w, 0, y, 0, k);
                // Q4_K, Q5_K (Q4_1, Q5_1 alike): y = scale_j q - min_j; the kernel sums scale_j (q . x) and min_j sum(x) apart and
                // subtracts, so its rounding scales with both terms: |scale_j q| <= |y| + |min_j|
                float[] mins = new float[k / 32];
                if (type == DType.Q4_K || type == DType.Q5_K) {
                    VectorDots.kScales(w, 0, k / 256, (int) type.bytesPerBlock(), new float[k / 32], mins);
                }
                if (type == DType.Q2_K) { // y = scale_g q - min_g per 16-value group g, min_g = dmin * (scales[g] >> 4)
                    for (int j = 0; j < k / 32; j++) {
                        long block = 84L * (j / 8);
                        float dmin = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, block + 82));
                        int g = 2 * (j % 8);
                        int larger = Math.max(Byte.toUnsignedInt(w.get(ValueLayout.JAVA_BYTE, block + g)) >>> 4,
                                Byte.toUnsignedInt(w.get(ValueLayout.JAVA_BYTE, block + g + 1)) >>> 4);
                        mins[j] = Math.abs(dmin) * larger;
                    }
                }
                if (type == DType.Q4_1 || type == DType.Q5_1) { // y = d q + m, summed as d (q . x) + m sum(x)
                    for (int j = 0; j < k / 32; j++) {
                        mins[j] = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, (long) type.bytesPerBlock() * j + 2));
                    }
                }
                double expected = 0;
                double magnitude = 0;
                for (int i = 0; i < k; i++) {
                    expected += (double) y[i] * x[i];
                    magnitude += (Math.abs((double) y[i]) + 2 * Math.abs((double) mins[i / 32])) * Math.abs((double) x[i]);
                }
                float actual = switch (type) {
                    case Q8_0 -> WideDots.dotQ8_0(w, 0, x, 0, k / 32);
                    case Q4_1 -> WideDots.dotQ4_1(w, 0, x, 0, k / 32);
                    case Q5_0 -> WideDots.dotQ5_0(w, 0, x, 0, k / 32);
                    case Q5_1 -> WideDots.dotQ5_1(w, 0, x, 0, k / 32);
                    case Q2_K -> {
                        float[] xsums = new float[k / 16];
                        WideDots.groupSums(x, k, xsums);
                        yield WideDots.dotQ2_K(w, 0, new float[16], x, xsums, 0, k / 256);
                    }
                    case Q3_K -> WideDots.dotQ3_K(w, 0, new float[16], x, 0, k / 256);
                    case Q6_K -> WideDots.dotQ6_K(w, 0, new float[16], x, 0, k / 256);
                    default -> {
                        float[] xsums = new float[k / 16];
                        WideDots.kBlockSums(x, k, xsums);
                        float[] scratch = new float[16];
                        yield type == DType.Q4_K ? WideDots.dotQ4_K(w, 0, scratch, x, xsums, 0, k / 256)
                                : WideDots.dotQ5_K(w, 0, scratch, x, xsums, 0, k / 256);
                    }
                };
                // float sums of k products in any order: gamma_(k+2) * sum|y x|; plus up to 3u per term for
                // the roundings of y = d * q (- m) in the decoder and of the scales and x sums in the kernel
                double u = 0x1p-24;
                double gamma = (k + 2) * u / (1 - (k + 2) * u);
                double bound = (gamma + 3 * u) * magnitude;
                assertEquals(expected, actual, bound, type + " k=" + k + " trial " + trial);
            }
        }
    }
}
