package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The few-rows path ({@link FewRowsLoops}: 2 to 15 rows of x, a batched decode step) on random shapes with odd
 * sizes and tails: its decoders give {@link WeightDecoder}'s floats bit for bit; through {@link CpuMatmul} on 1, 2
 * and 3 threads it gives what the path alone gives, bit for bit (so the dispatch takes it and the split over threads
 * changes nothing; where the integer path {@link PairRows} takes the rows, Q4_K on 512-bit vectors, PairRowsTest checks
 * the dispatch); it and its scalar twin {@link FewRowsReference} are within a derived bound of a float64 product.
 *
 * <p>The bound: the weights are decoded as {@link WeightDecoder} decodes them, which may differ from the float64
 * oracle's decoder ({@code Quants}) by at most 4 roundings of terms no larger than {@code |w_k| + minTerm_k}
 * (MatmulFixtures#oracle), so {@code 4u sum_k |x_k| (|w_k| + minTerm_k)}; x meets them in float (no activation
 * quantization), summed in any order: {@code gamma_(K+4) sum_k |x_k| |w'_k|}, gamma_n = n u / (1 - n u), where the
 * decoded {@code |w'_k| <= |w_k| + 4u (|w_k| + minTerm_k)}.
 */
@ExtendWith(Seeded.class)
class FewRowsMatmulTest {
    private static final ParallelFor[] POOLS = {new ParallelFor(1), new ParallelFor(2), new ParallelFor(3)};
    /** No scalar small-shape path, no OpenBLAS: the shapes here would otherwise take SmallMatmul's scalar code. */
    private static final CpuMatmul[] MATMULS = {new CpuMatmul(POOLS[0], null, 0), new CpuMatmul(POOLS[1], null, 0),
            new CpuMatmul(POOLS[2], null, 0)};

    @AfterAll
    static void closePools() {
        for (ParallelFor p : POOLS) {
            p.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void decoders_give_the_weight_decoders_floats_bit_for_bit(DType type, Random random) {
        for (int trial = 0; trial < 10; trial++) {
            int k = type.blockSize() == 1 ? 1 + random.nextInt(2 * FewRowsLoops.KC) : type.blockSize() * (1 + random.nextInt(FewRowsLoops.KC * 2 / type.blockSize()));
            try (Arena arena = Arena.ofConfined()) {
                Tensor w = MatmulFixtures.weight(arena, random, type, 1, k);
                float[] expected = new float[k];
                WeightDecoder.decode(type, w.segment(), w.byteOffset(), expected, 0, k);
                for (boolean wide : new boolean[] {false, true}) { // both widths on any machine (512 bits emulated where absent)
                    assertArrayEquals(expected, decodeRow(type, w.segment(), w.byteOffset(), k, wide), type + " K " + k + (wide ? " wide" : " narrow"));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void few_rows_are_within_the_float64_bound_and_the_dispatch_takes_them(DType type, Random random) {
        for (int trial = 0; trial < 6; trial++) {
            int m = FewRowsLoops.minRows(type) + random.nextInt(FewRowsLoops.MAX_ROWS - FewRowsLoops.minRows(type) + 1);
            int n = 1 + random.nextInt(70);
            int block = type.blockSize();
            // odd block counts, slices past KC with a partial last slice; for floats odd K, tails of the vector loops
            int k = block == 1 ? 1 + random.nextInt(3 * FewRowsLoops.KC) : block * (1 + random.nextInt(3 * FewRowsLoops.KC / block));
            try (Arena arena = Arena.ofShared()) {
                Tensor w = MatmulFixtures.weight(arena, random, type, n, k);
                float[] xf = Seeded.nonZeroFloats(random, m * k, 2f);
                Tensor x = Tensor.of(arena, xf, m, k);
                float[][] wf = MatmulFixtures.dequantized(w);
                MatmulShape shape = MatmulShape.of(x, w, Tensor.allocate(arena, DType.F32, m, n));

                Tensor alone = Tensor.allocate(arena, DType.F32, m, n).fill(Float.NaN);
                float[] slice = new float[FewRowsLoops.KC];
                float[] sums = new float[FewRowsLoops.MAX_ROWS];
                FewRowsLoops.rows(shape, w.segment(), xf, slice, sums, alone.segment(), 0, n);
                Tensor twin = Tensor.allocate(arena, DType.F32, m, n).fill(Float.NaN);
                FewRowsReference.rows(shape, w.segment(), xf, twin.segment());
                String what = type + " M " + m + " N " + n + " K " + k;
                for (int t = 0; t < MATMULS.length && !PairRows.takes(type, m); t++) { // else PairRowsTest's
                    Tensor out = Tensor.allocate(arena, DType.F32, m, n).fill(Float.NaN);
                    MATMULS[t].matmul(x, w, out);
                    assertArrayEquals(alone.toFloatArray(), out.toFloatArray(), what + ": CpuMatmul on " + (t + 1) + " threads");
                }
                float[] got = alone.toFloatArray(), ref = twin.toFloatArray();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double[] oracle = oracle(xf, i * k, k, wf[j], w, j);
                        String at = what + " at [" + i + ", " + j + "]: expected " + oracle[0] + " +- " + oracle[1];
                        assertTrue(Math.abs(got[i * n + j] - oracle[0]) <= oracle[1], at + ", the few-rows kernel gave " + got[i * n + j]);
                        assertTrue(Math.abs(ref[i * n + j] - oracle[0]) <= oracle[1], at + ", its scalar twin gave " + ref[i * n + j]);
                    }
                }
            }
        }
    }

    /** The float64 dot of x row {@code [xo, xo + k)} with the oracle-decoded weight row, and the bound of the class comment. */
    private static double[] oracle(float[] x, int xo, int k, float[] w, Tensor weight, int row) {
        DType type = weight.dtype();
        MemorySegment s = weight.row(row);
        double sum = 0, magnitude = 0, decode = 0;
        for (int i = 0; i < k; i++) {
            double minTerm = type.isQuantized() ? MatmulFixtures.minTermBound(type, s, type.byteSize(i - i % type.blockSize())) : 0;
            sum += (double) x[xo + i] * w[i];
            magnitude += Math.abs((double) x[xo + i]) * Math.abs(w[i]);
            decode += Math.abs((double) x[xo + i]) * (Math.abs(w[i]) + minTerm);
        }
        double u = MatmulFixtures.U, n = k + 4;
        double gamma = n * u / (1 - n * u);
        return new double[] {sum, gamma * (magnitude + 4 * u * decode) + 4 * u * decode};
    }

    /** One weight row decoded block by block with {@link FewRowsDecoder}, as {@link FewRowsLoops} decodes its slices. */
    private static float[] decodeRow(DType type, MemorySegment w, long at, int k, boolean wide) {
        float[] out = new float[k + 1];
        Arrays.fill(out, Float.NaN);
        float[] block = new float[FewRowsLoops.KC];
        switch (type) {
            case F32 -> MemorySegment.copy(w, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at, out, 0, k);
            case F16 -> {
                float[] all = new float[k];
                FewRowsDecoder.f16(w, at, all, k);
                System.arraycopy(all, 0, out, 0, k);
            }
            case BF16 -> {
                float[] all = new float[k];
                FewRowsDecoder.bf16(w, at, all, k);
                System.arraycopy(all, 0, out, 0, k);
            }
            default -> {
                int size = type.blockSize();
                for (int b = 0; b < k / size; b++) {
                    long o = at + type.bytesPerBlock() * b;
                    switch (type) {
                        case Q8_0 -> {
                            if (wide) {
                                FewRowsDecoder.q8_0Wide(w, o, block, 0);
                            } else {
                                FewRowsDecoder.q8_0Narrow(w, o, block, 0);
                            }
                        }
                        case Q4_0 -> {
                            if (wide) {
                                FewRowsDecoder.q4_0Wide(w, o, block, 0);
                            } else {
                                FewRowsDecoder.q4_0Narrow(w, o, block, 0);
                            }
                        }
                        case Q4_K -> {
                            if (wide) {
                                FewRowsDecoder.q4_KWide(w, o, block, 0);
                            } else {
                                FewRowsDecoder.q4_KNarrow(w, o, block, 0);
                            }
                        }
                        case Q5_K -> {
                            if (wide) {
                                FewRowsDecoder.q5_KWide(w, o, block, 0);
                            } else {
                                FewRowsDecoder.q5_KNarrow(w, o, block, 0);
                            }
                        }
                        case Q6_K -> {
                            if (wide) {
                                FewRowsDecoder.q6_KWide(w, o, block, 0);
                            } else {
                                FewRowsDecoder.q6_KNarrow(w, o, block, 0);
                            }
                        }
                        default -> throw new IllegalArgumentException(type.toString());
                    }
                    System.arraycopy(block, 0, out, size * b, size);
                }
            }
        }
        assertTrue(Float.isNaN(out[k]), "wrote past the row");
        return Arrays.copyOf(out, k);
    }
}
