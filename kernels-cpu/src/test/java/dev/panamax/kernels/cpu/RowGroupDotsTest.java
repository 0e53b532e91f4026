package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The F32 dots of {@link RowGroupDots} against a float64 dot, on odd lengths (vector tails), strided rows, offsets
 * into x and into the weights; and each row of the four-row dot bit for bit the one-row dot (a row's result must
 * not depend on which group a thread's split put it in). Poisoned outputs around the four written floats check
 * that nothing else is written.
 */
@ExtendWith(Seeded.class)
class RowGroupDotsTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void four_row_and_one_row_dots_match_a_float64_dot_and_each_other(Random random) {
        for (int trial = 0; trial < 40; trial++) {
            int k = 1 + random.nextInt(trial < 10 ? 40 : 3000); // short rows too: all tail, or one vector and a tail
            int xo = random.nextInt(5);
            long stride = 4L * (k + random.nextInt(7)); // strided rows: a view into a wider tensor
            long at = 4L * random.nextInt(3) + (random.nextBoolean() ? 0 : 2); // unaligned starts too
            float[] x = Seeded.nonZeroFloats(random, xo + k, 2f);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = arena.allocate(at + 4 * stride);
                float[][] rows = new float[4][];
                for (int r = 0; r < 4; r++) {
                    rows[r] = Seeded.nonZeroFloats(random, k, 1.5f);
                    for (int j = 0; j < k; j++) {
                        w.set(F32, at + r * stride + 4L * j, rows[r][j]);
                    }
                }
                MemorySegment out = arena.allocate(24);
                for (int j = 0; j < 6; j++) {
                    out.set(F32, 4L * j, Float.NaN);
                }
                RowGroupDots.dotF32x4(w, at, stride, x, xo, k, out, 4);
                assertEquals(Float.NaN, out.get(F32, 0), "before the four outputs");
                assertEquals(Float.NaN, out.get(F32, 20), "after the four outputs");
                for (int r = 0; r < 4; r++) {
                    double expected = 0, magnitude = 0;
                    for (int j = 0; j < k; j++) {
                        expected += (double) rows[r][j] * x[xo + j];
                        magnitude += Math.abs((double) rows[r][j] * x[xo + j]);
                    }
                    // k float products summed in some order: gamma_k * sum |w x| (Higham, Th. 3.1), plus the products' own rounding
                    double u = 0x1p-24;
                    double bound = ((k + 1) * u / (1 - (k + 1) * u)) * magnitude;
                    float one = RowGroupDots.dotF32(w, at + r * stride, x, xo, k);
                    float four = out.get(F32, 4 + 4L * r);
                    String what = "k=" + k + " xo=" + xo + " row " + r + " trial " + trial;
                    assertEquals(expected, one, bound, "one-row dot, " + what);
                    assertEquals(Float.floatToRawIntBits(one), Float.floatToRawIntBits(four), "four-row dot against one-row dot, " + what);
                }
            }
        }
    }
}
