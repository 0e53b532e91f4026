package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * The 512-bit pair-product dots ({@link PairDots}) against a float64 dot of the weights as {@link Quants}
 * decodes them with the activations as {@link QuantizedActivations} quantized them ({@code d q}). Besides
 * float rounding the bound holds the kernels' one approximation, the cross product {@code w0 x1 / 2^16} of
 * each pair ({@link PairDots}), summed in magnitude: still far below the change a wrong bit, nibble or
 * offset makes (at least one unit of a quant times an activation). Block counts are odd and even, the
 * dotted row is the second of two (activation offsets), and one trial in four saturates the activations
 * ({@code |q| = 127} everywhere, the largest products and cross products).
 */
@ExtendWith(Seeded.class)
class PairDotsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void pair_dots_match_a_float64_dot_of_decoded_weights_and_activations(DType type, Random random) {
        assumeTrue(WideDots.AVAILABLE, "the 512-bit kernels run only where the preferred vectors are 512 bits wide");
        int blockSize = type.blockSize();
        int actBlock = blockSize == 256 ? 256 : 32;
        for (int trial = 0; trial < 24; trial++) {
            int k = blockSize * (1 + random.nextInt(4096 / blockSize)); // odd block counts included (Q4_0's tail)
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
                float actual = switch (type) {
                    case Q4_K -> PairDots.dotQ4_K(w, at, new float[16], a.pairs, a.d, a.kSums, k, k / 256);
                    case Q6_K -> PairDots.dotQ6_K(w, at, new float[16], a.pairs, a.d, a.groupSums, k, k / 256);
                    default -> PairDots.dotQ4_0(w, at, a.pairs, a.d, a.sums, k, k / 32);
                };
                assertNearFloat64(type, w, at, k, a, 1, actual, type + " k=" + k + " trial " + trial);
                if (type == DType.Q4_0) { // the lookup of the scales (DotRoutes' other Q4_0 route) changes no bit
                    float looked = PairDots.dotQ4_0Table(w, at, a.pairs, a.d, a.sums, k, k / 32);
                    assertEquals(Float.floatToRawIntBits(actual), Float.floatToRawIntBits(looked),
                            "dotQ4_0Table " + looked + " vs dotQ4_0 " + actual + ", k=" + k + " trial " + trial);
                }
            }
        }
    }

    /**
     * Asserts that {@code actual}, a pair dot of the weight row at byte {@code at} of {@code w} ({@code k} values of
     * {@code type}) with row {@code xRow} of {@code a}, is within this class's float64-derived bound of the float64 dot.
     */
    static void assertNearFloat64(DType type, MemorySegment w, long at, int k, QuantizedActivations a, int xRow, float actual, String what) {
        int actBlock = type.blockSize() == 256 ? 256 : 32;
        float[] y = new float[k];
        Quants.dequantizeRow(type, w, at, y, 0, k);
        // y = scale_j q - min_j (Q4_0: d (q - 8), Q6_K: d sc_g (q - 32) per 16-value group g): the kernels sum
        // scale_j (q . x) and min_j sum(x) apart, so their rounding scales with |scale_j q| <= |y| + |min_j| each
        int group = type == DType.Q6_K ? 16 : 32;
        float[] mins = new float[k / group];
        if (type == DType.Q4_K) {
            VectorDots.kScales(w, at, k / 256, (int) type.bytesPerBlock(), new float[k / 32], mins);
        } else if (type == DType.Q6_K) {
            for (int g = 0; g < k / 16; g++) {
                long block = at + 210L * (g / 16);
                float d = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, block + 208));
                mins[g] = 32 * Math.abs(d * w.get(ValueLayout.JAVA_BYTE, block + 192 + g % 16));
            }
        } else {
            for (int j = 0; j < k / 32; j++) {
                mins[j] = 8 * Math.abs(Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 18L * j)));
            }
        }
        double expected = 0, magnitude = 0, cross = 0;
        for (int i = 0; i < k; i++) {
            double xi = (double) a.d[(xRow * k + i) / actBlock] * a.q[xRow * k + i];
            double scaled = Math.abs((double) y[i]) + Math.abs((double) mins[i / group]); // |scale_j q|
            expected += y[i] * xi;
            magnitude += (scaled + Math.abs((double) mins[i / group])) * Math.abs(xi);
            if (i % 2 == 0) { // the pair (i, i + 1) leaves scale_j q_i x_(i+1) / 2^16 in its lane
                cross += scaled * Math.abs((double) a.d[(xRow * k + i) / actBlock] * a.q[xRow * k + i + 1]);
            }
        }
        // float sums of k products in any order: gamma_(k+2) * sum|y x|; up to 4u per term for the roundings
        // of y = d * q - m, of the scale products and of the int-to-float conversions; and the cross products
        double u = 0x1p-24;
        double gamma = (k + 2) * u / (1 - (k + 2) * u);
        double bound = (gamma + 4 * u) * magnitude + 0x1p-16 * cross * (1 + 4 * u);
        assertEquals(expected, actual, bound, what);
    }
}
