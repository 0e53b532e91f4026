package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The wide-batch micro-kernels ({@link GemmKernel#multiply12} and {@link GemmKernel#multiply12Packed}, or
 * {@link GemmKernel#multiply6} and {@link GemmKernel#multiply6Packed} where vectors are 256 bits) against a float64
 * sum, from zero and accumulating onto a tile, with odd K, offsets and row strides; the gathered transposed store
 * ({@link GemmKernel#storeTransposed}) against a scalar copy. Bound: float accumulation of kc products (plus the tile's start value) in
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
            boolean packed = random.nextBoolean();
            float[] wp = packed ? packed(w, wo, stride, mr, kc, random.nextInt(5)) : null;
            int wpo = packed ? wp.length - mr * kc : 0;
            if (packed && mr == 12) {
                GemmKernel.multiply12Packed(wp, wpo, xp, xo, kc, c, co, accumulate);
            } else if (packed) {
                GemmKernel.multiply6Packed(wp, wpo, xp, xo, kc, c, co, accumulate);
            } else if (mr == 12) {
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
                            "kc " + kc + " packed " + packed + " accumulate " + accumulate + " tile [" + i + ", " + j + "]: " + got + " vs " + sum);
                }
            }
            for (int p = 0; p < c.length; p++) {
                if (p < co || p >= co + mr * nr) {
                    assertEquals(Float.floatToRawIntBits(before[p]), Float.floatToRawIntBits(c[p]), "wrote outside the tile at " + p);
                }
            }
        }
    }

    /** Rows {@code w[wo + i stride ...]} packed k-major after {@code lead} floats of poison: {@code p[lead + k mr + i]}. */
    private static float[] packed(float[] w, int wo, int stride, int mr, int kc, int lead) {
        float[] p = new float[lead + mr * kc];
        Arrays.fill(p, 0, lead, Float.NaN);
        for (int i = 0; i < mr; i++) {
            for (int k = 0; k < kc; k++) {
                p[lead + k * mr + i] = w[wo + i * stride + k];
            }
        }
        return p;
    }

    @Test
    void the_transposed_store_copies_every_row_and_column_and_nothing_else(Random random) {
        int nr = GemmKernel.NR;
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 30; round++) {
                int m = 1 + random.nextInt(3 * nr);
                int rowsPadded = GemmKernel.WIDE_MR * (1 + random.nextInt(20));
                int nc = 1 + random.nextInt(rowsPadded);
                int chunks = (m + nr - 1) / nr;
                float[] acc = Seeded.nonZeroFloats(random, rowsPadded * chunks * nr, 3f);
                int rowFloats = nc + random.nextInt(40), lead = random.nextInt(9);
                MemorySegment out = arena.allocate(4L * (lead + m * rowFloats + 3), 4);
                out.fill((byte) 0x7f); // poison: NaN-like bits every float
                MemorySegment before = arena.allocate(out.byteSize(), 4).copyFrom(out);
                GemmKernel.storeTransposed(acc, rowsPadded, m, nc, out, 4L * lead, 4L * rowFloats);
                for (int row = 0; row < m; row++) {
                    for (int f = 0; f < rowFloats; f++) {
                        long at = 4L * (lead + row * rowFloats + f);
                        float got = out.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at);
                        if (f < nc) {
                            float want = acc[((row / nr) * rowsPadded + f) * nr + row % nr];
                            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), "m " + m + " nc " + nc + " out[" + row + ", " + f + "]");
                        } else {
                            assertEquals(before.get(ValueLayout.JAVA_INT_UNALIGNED, at), out.get(ValueLayout.JAVA_INT_UNALIGNED, at),
                                    "m " + m + " nc " + nc + ": wrote past the run at [" + row + ", " + f + "]");
                        }
                    }
                }
                for (long b = 0; b < 4L * lead; b++) {
                    assertEquals(before.get(ValueLayout.JAVA_BYTE, b), out.get(ValueLayout.JAVA_BYTE, b), "wrote before the first row");
                }
            }
        }
    }
}
