package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * {@link TwoRowPairDots} against the float64 dot of each row ({@link PairDotsTest#assertNearFloat64}'s derived
 * bound) and against {@link PairDots}' one-row dot of that row, bit for bit (the same operations in the same order).
 * Odd and even block counts; the two rows are any two of up to five (strides of one to four rows); the dotted x row
 * is any of three (activation offsets); one trial in four saturates the activations; the output is poisoned with
 * NaN around the two floats written, which must stay.
 */
@ExtendWith(Seeded.class)
class TwoRowPairDotsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_K", "Q6_K"})
    void each_row_is_its_one_row_pair_dot_and_near_the_float64_dot(DType type, Random random) {
        assumeTrue(WideDots.AVAILABLE, "the 512-bit kernels run only where the preferred vectors are 512 bits wide");
        for (int trial = 0; trial < 24; trial++) {
            int k = 256 * (1 + random.nextInt(17));
            int xRows = 3, xRow = random.nextInt(xRows);
            float[] x = new float[xRows * k];
            if (trial % 4 == 3) { // every block quantizes to +-127: the largest products and cross products
                for (int i = 0; i < x.length; i++) {
                    x[i] = random.nextBoolean() ? 1.5f : -1.5f;
                }
            } else {
                x = Seeded.nonZeroFloats(random, xRows * k, 2f);
            }
            QuantizedActivations a = new QuantizedActivations();
            a.quantize(x, xRows, k, 256);
            try (Arena arena = Arena.ofConfined()) {
                int rows = 5, first = random.nextInt(2), second = first + 1 + random.nextInt(rows - 1 - first);
                Tensor weight = MatmulFixtures.weight(arena, random, type, rows, k);
                MemorySegment w = weight.segment();
                long rowBytes = type.byteSize(k);
                long at = weight.byteOffset() + first * rowBytes, stride = (second - first) * rowBytes;
                MemorySegment out = arena.allocate(16);
                for (int f = 0; f < 4; f++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT, f, Float.NaN);
                }
                if (type == DType.Q4_K) {
                    TwoRowPairDots.dotQ4_K(w, at, stride, new float[32], a.pairs, a.d, a.kSums, xRow * k, k / 256, out, 4);
                } else {
                    TwoRowPairDots.dotQ6_K(w, at, stride, a.pairs, a.d, a.groupSums, xRow * k, k / 256, out, 4);
                }
                String what = type + " k=" + k + " rows " + first + ", " + second + " x row " + xRow + " trial " + trial;
                assertEquals(Float.NaN, out.getAtIndex(ValueLayout.JAVA_FLOAT, 0), what + ": wrote before its floats");
                assertEquals(Float.NaN, out.getAtIndex(ValueLayout.JAVA_FLOAT, 3), what + ": wrote after its floats");
                for (int r = 0; r < 2; r++) {
                    long rowAt = at + r * stride;
                    float actual = out.getAtIndex(ValueLayout.JAVA_FLOAT, 1 + r);
                    float alone = type == DType.Q4_K
                            ? PairDots.dotQ4_K(w, rowAt, new float[16], a.pairs, a.d, a.kSums, xRow * k, k / 256)
                            : PairDots.dotQ6_K(w, rowAt, new float[16], a.pairs, a.d, a.groupSums, xRow * k, k / 256);
                    assertEquals(Float.floatToRawIntBits(alone), Float.floatToRawIntBits(actual),
                            what + " row " + r + ": " + actual + " against its one-row dot " + alone);
                    PairDotsTest.assertNearFloat64(type, w, rowAt, k, a, xRow, actual, what + " row " + r);
                }
            }
        }
    }
}
