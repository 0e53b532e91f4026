package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The wide-batch micro-kernel ({@link GemmKernel#multiply12}, or {@link GemmKernel#multiply6} where
 * vectors are 256 bits) against a float64 sum, from zero and accumulating onto a tile, with odd K,
 * offsets and row strides. Bound: float accumulation of kc products (plus the tile's start value) in
 * order, {@code gamma_(kc+1) (|c| + sum |w x|)} (Higham 3.5).
 */
@ExtendWith(Seeded.class)
class GemmKernelTest {
    private static final double U = Math.ulp(1.0f) / 2;

    @Test
    void the_wide_tile_matches_a_float64_sum_from_zero_and_accumulating(Random random) {
        int mr = GemmKernel.WIDE_MR, nr = GemmKernel.NR;
        for (int round = 0; round < 40; round++) {
            int kc = 1 + random.nextInt(300);
            int stride = kc + random.nextInt(5);
            int wo = random.nextInt(7), xo = random.nextInt(9), co = random.nextInt(5);
            float[] w = Seeded.nonZeroFloats(random, wo + mr * stride, 2f);
            float[] xp = Seeded.nonZeroFloats(random, xo + kc * nr, 2f);
            boolean accumulate = random.nextBoolean();
            float[] c = accumulate ? Seeded.nonZeroFloats(random, co + mr * nr + 3, 4f) : new float[co + mr * nr + 3];
            if (!accumulate) {
                Arrays.fill(c, Float.NaN); // poisoned: the kernel must not read a tile it starts from zero
            }
            float[] before = c.clone();
            if (mr == 12) {
                GemmKernel.multiply12(w, wo, stride, xp, xo, kc, c, co, accumulate);
            } else {
                GemmKernel.multiply6(w, wo, stride, xp, xo, kc, c, co, accumulate);
            }
            double gamma = (kc + 1) * U / (1 - (kc + 1) * U);
            for (int i = 0; i < mr; i++) {
                for (int j = 0; j < nr; j++) {
                    double start = accumulate ? before[co + i * nr + j] : 0;
                    double sum = start, abs = Math.abs(start);
                    for (int k = 0; k < kc; k++) {
                        double p = (double) w[wo + i * stride + k] * xp[xo + k * nr + j];
                        sum += p;
                        abs += Math.abs(p);
                    }
                    float got = c[co + i * nr + j];
                    assertTrue(Math.abs(got - sum) <= gamma * abs,
                            "kc " + kc + " accumulate " + accumulate + " tile [" + i + ", " + j + "]: " + got + " vs " + sum);
                }
            }
            for (int p = 0; p < c.length; p++) {
                if (p < co || p >= co + mr * nr) {
                    assertEquals(Float.floatToRawIntBits(before[p]), Float.floatToRawIntBits(c[p]), "wrote outside the tile at " + p);
                }
            }
        }
    }
}
