package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The integer few-rows path ({@link PairRows}: Q4_K and Q6_K, 2 to 15 rows of x on 512-bit vectors) on random shapes
 * with odd block counts and every row count: each row of its result is bit for bit {@link PairDots#dotQ4_K} (or
 * {@link PairDots#dotQ6_K}) of that row alone
 * (the one-row dot whose float64 bound {@link PairDotsTest} proves), and is within that bound here too (weights as
 * {@link Quants} decodes them against the activations as {@link QuantizedActivations} quantized them, float
 * rounding plus the pairs' cross products); through {@link CpuMatmul} on 1, 2 and 3 threads a row gives the same
 * bits as that row multiplied alone (M = 1, the matrix-vector path), so a sequence's result does not depend on how
 * many others share its decode step. One trial in four saturates the activations ({@code |q| = 127}).
 */
@ExtendWith(Seeded.class)
class PairRowsTest {
    private static final ParallelFor[] POOLS = {new ParallelFor(1), new ParallelFor(2), new ParallelFor(3)};
    private static final CpuMatmul[] MATMULS = {new CpuMatmul(POOLS[0], null, 0), new CpuMatmul(POOLS[1], null, 0),
            new CpuMatmul(POOLS[2], null, 0)};

    @AfterAll
    static void closePools() {
        for (ParallelFor p : POOLS) {
            p.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_K", "Q6_K"})
    void every_row_is_its_one_row_dot_bit_for_bit_and_within_its_float64_bound(DType type, Random random) {
        assumeTrue(WideDots.AVAILABLE, "the pair kernels run only where the preferred vectors are 512 bits wide");
        for (int trial = 0; trial < 16; trial++) {
            int m = 2 + random.nextInt(FewRowsLoops.MAX_ROWS - 1);
            int n = 1 + random.nextInt(40);
            int k = 256 * (1 + random.nextInt(9)); // odd and even block counts
            float[] x = new float[m * k];
            if (trial % 4 == 3) { // one magnitude: every block quantizes to +-127
                for (int i = 0; i < x.length; i++) {
                    x[i] = random.nextBoolean() ? 1.5f : -1.5f;
                }
            } else {
                x = Seeded.nonZeroFloats(random, m * k, 2f);
            }
            try (Arena arena = Arena.ofShared()) {
                Tensor w = MatmulFixtures.weight(arena, random, type, n, k);
                Tensor xt = Tensor.of(arena, x, m, k);
                Tensor out = Tensor.allocate(arena, DType.F32, m, n).fill(Float.NaN);
                MatmulShape shape = MatmulShape.of(xt, w, out);
                QuantizedActivations a = new QuantizedActivations();
                a.quantize(x, m, k, 256);
                float[] sums = new float[FewRowsLoops.MAX_ROWS];
                Arrays.fill(sums, Float.NaN);
                rows(type, shape, w.segment(), a, sums, out.segment(), n);
                float[] got = out.toFloatArray();
                String what = "M " + m + " N " + n + " K " + k + " trial " + trial;
                for (int j = 0; j < n; j++) {
                    MemorySegment row = w.segment();
                    long at = shape.wRow(j);
                    float[] y = new float[k];
                    Quants.dequantizeRow(type, row, at, y, 0, k);
                    float[] mins = offsets(type, row, at, k);
                    for (int i = 0; i < m; i++) {
                        float alone = type == DType.Q6_K ? PairDots.dotQ6_K(row, at, new float[16], a.pairs, a.d, a.groupSums, i * k, k / 256)
                                : PairDots.dotQ4_K(row, at, new float[16], a.pairs, a.d, a.kSums, i * k, k / 256);
                        assertEquals(Float.floatToRawIntBits(alone), Float.floatToRawIntBits(got[i * n + j]),
                                what + " at [" + i + ", " + j + "]: " + got[i * n + j] + " vs the one-row dot's " + alone);
                        double[] oracle = oracle(y, mins, a, i * k, k);
                        assertTrue(Math.abs(got[i * n + j] - oracle[0]) <= oracle[1],
                                what + " at [" + i + ", " + j + "]: " + got[i * n + j] + ", expected " + oracle[0] + " +- " + oracle[1]);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_K", "Q6_K"})
    void through_the_dispatch_a_row_gives_the_bits_it_gives_alone_on_any_thread_count(DType type, Random random) {
        assumeTrue(WideDots.AVAILABLE, "the pair kernels run only where the preferred vectors are 512 bits wide");
        for (int trial = 0; trial < 8; trial++) {
            int m = 2 + random.nextInt(FewRowsLoops.MAX_ROWS - 1);
            assertTrue(PairRows.takes(type, m), "the dispatch takes " + m + " rows");
            int n = 1 + random.nextInt(70);
            int k = 256 * (1 + random.nextInt(9));
            try (Arena arena = Arena.ofShared()) {
                Tensor w = MatmulFixtures.weight(arena, random, type, n, k);
                float[] x = Seeded.nonZeroFloats(random, m * k, 2f);
                Tensor xt = Tensor.of(arena, x, m, k);
                Tensor alone = Tensor.allocate(arena, DType.F32, m, n).fill(Float.NaN);
                QuantizedActivations a = new QuantizedActivations();
                a.quantize(x, m, k, 256);
                rows(type, MatmulShape.of(xt, w, alone), w.segment(), a, new float[4], alone.segment(), n);
                float[] expected = alone.toFloatArray();
                String what = "M " + m + " N " + n + " K " + k;
                for (int t = 0; t < MATMULS.length; t++) {
                    Tensor out = Tensor.allocate(arena, DType.F32, m, n).fill(Float.NaN);
                    MATMULS[t].matmul(xt, w, out);
                    assertArrayEquals(expected, out.toFloatArray(), what + ": CpuMatmul on " + (t + 1) + " threads");
                }
                for (int i = 0; i < m; i++) {
                    Tensor one = Tensor.of(arena, Arrays.copyOfRange(x, i * k, (i + 1) * k), 1, k);
                    Tensor row = Tensor.allocate(arena, DType.F32, 1, n).fill(Float.NaN);
                    MATMULS[1].matmul(one, w, row);
                    assertArrayEquals(Arrays.copyOfRange(expected, i * n, (i + 1) * n), row.toFloatArray(),
                            what + ": row " + i + " of the step against the row multiplied alone");
                }
            }
        }
    }

    /** {@link PairRows}' rows {@code [0, n)} of {@code type}. */
    private static void rows(DType type, MatmulShape shape, MemorySegment w, QuantizedActivations a, float[] sums, MemorySegment out,
            int n) {
        if (type == DType.Q6_K) {
            PairRows.q6_K(shape, w, a, new float[16], sums, out, 0, n);
        } else {
            PairRows.q4_K(shape, w, a, new float[16], sums, out, 0, n);
        }
    }

    /**
     * The magnitude of each group's offset, which the kernels take apart from {@code scale q}: Q4_K's mins
     * {@code dmin m_j} per 32 values, Q6_K's {@code 32 |d sc_g|} per 16 ({@link PairDotsTest} reads them the same way).
     */
    private static float[] offsets(DType type, MemorySegment w, long at, int k) {
        if (type == DType.Q6_K) {
            float[] offsets = new float[k / 16];
            for (int g = 0; g < k / 16; g++) {
                long block = at + 210L * (g / 16);
                float d = Float.float16ToFloat(w.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, block + 208));
                offsets[g] = 32 * Math.abs(d * w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, block + 192 + g % 16));
            }
            return offsets;
        }
        float[] mins = new float[k / 32];
        VectorDots.kScales(w, at, k / 256, (int) DType.Q4_K.bytesPerBlock(), new float[k / 32], mins);
        return mins;
    }

    /**
     * The float64 dot of the decoded weights {@code y} with row {@code [xo, xo + k)} of the quantized activations, and
     * {@link PairDotsTest}'s bound: float sums of k products in any order, {@code gamma_(k+2)}, 4u per term for the
     * roundings of {@code y = scale q - min}, of the scale products and of the conversions, and the cross products
     * {@code scale q_i x_(i+1) / 2^16} of each pair.
     */
    private static double[] oracle(float[] y, float[] mins, QuantizedActivations a, int xo, int k) {
        double expected = 0, magnitude = 0, cross = 0;
        for (int i = 0; i < k; i++) {
            double xi = (double) a.d[(xo + i) / 256] * a.q[xo + i];
            double offset = Math.abs((double) mins[i / (k / mins.length)]); // per 32 (Q4_K) or 16 (Q6_K) values
            double scaled = Math.abs((double) y[i]) + offset;
            expected += y[i] * xi;
            magnitude += (scaled + offset) * Math.abs(xi);
            if (i % 2 == 0) {
                cross += scaled * Math.abs((double) a.d[(xo + i) / 256] * a.q[xo + i + 1]);
            }
        }
        double u = 0x1p-24;
        double gamma = (k + 2) * u / (1 - (k + 2) * u);
        return new double[] {expected, (gamma + 4 * u) * magnitude + 0x1p-16 * cross * (1 + 4 * u)};
    }
}
