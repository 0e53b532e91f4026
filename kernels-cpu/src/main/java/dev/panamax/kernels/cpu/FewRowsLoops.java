package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The few-rows path of {@link CpuMatmul} ({@value #MIN_ROWS} to {@value #MAX_ROWS} rows of x: a decode step of
 * several sequences, {@code Model.newBatch}): for each weight row, each {@value #KC}-value slice is decoded to
 * floats once ({@link FewRowsDecoder}) and then dotted with the same slice of every row of x ({@link FewRowsDots}),
 * while both are in L1. The matrix-vector kernels decode each weight block again for every row of x, so their cost
 * grows with M as fast as M separate decodes; here decoding is paid once per weight and each further row costs
 * one float load and one FMA per weight.
 *
 * <p>One loop per weight dtype, for the reason {@link MatvecLoops} gives. {@link FewRowsReference} is the scalar twin.
 */
final class FewRowsLoops {
    /** Fewest rows of x this path takes for any dtype: one row stays on the matrix-vector kernels. */
    static final int MIN_ROWS = 2;
    /** Most rows of x this path takes; more go to the GEMM, whose register tiles then pay off. */
    static final int MAX_ROWS = 15;
    /** Values of a weight row decoded at once, a multiple of every block size: 2 KiB of floats, and M slices of x of that size, stay in L1. */
    static final int KC = 512;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FewRowsLoops() {
    }

    /**
     * Fewest rows of x this path takes for {@code type}. With 512-bit vectors Q4_K and Q5_K start at 4: their one-row
     * dots ({@link WideDots}) decode in registers so cheaply that two of them beat the few-rows path at 2 rows
     * (Zen 4, CPU time per 2048 x 5632 Q4_K product under load: one row 1.47 ms, two rows here 3.6-4.1 ms, four
     * 5.2-5.4 ms against 5.9 for four dots); Q6_K broke even at 2 rows and gains from 3. The rest start at
     * {@link #MIN_ROWS}.
     */
    static int minRows(DType type) {
        return WideDots.AVAILABLE && (type == DType.Q4_K || type == DType.Q5_K) ? 4 : MIN_ROWS;
    }

    /** Whether this path has a vector decoder for {@code type}; the others keep their existing paths. */
    static boolean supports(DType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Weight rows {@code [start, end)} of {@code out[i, n] = w[n] . x[i]}: one switch, then the dtype's own loop.
     *
     * @param x     the M rows of x, packed {@code [M, K]}
     * @param slice scratch of at least {@link #KC} floats
     * @param sums  scratch of at least M floats
     */
    static void rows(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        switch (s.wType()) {
            case F32 -> f32(s, w, x, slice, sums, out, start, end);
            case F16 -> f16(s, w, x, slice, sums, out, start, end);
            case BF16 -> bf16(s, w, x, slice, sums, out, start, end);
            case Q8_0 -> q8_0(s, w, x, slice, sums, out, start, end);
            case Q4_0 -> q4_0(s, w, x, slice, sums, out, start, end);
            case Q4_K -> q4_K(s, w, x, slice, sums, out, start, end);
            case Q5_K -> q5_K(s, w, x, slice, sums, out, start, end);
            case Q6_K -> q6_K(s, w, x, slice, sums, out, start, end);
            default -> throw new IllegalArgumentException("no few-rows loop for " + s.wType());
        }
    }

    static void f32(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                MemorySegment.copy(w, F32, s.wRow(n) + 4L * k0, slice, 0, kc);
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    static void f16(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                FewRowsDecoder.f16(w, s.wRow(n) + 2L * k0, slice, kc);
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    static void bf16(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                FewRowsDecoder.bf16(w, s.wRow(n) + 2L * k0, slice, kc);
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    static void q8_0(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                long at = s.wRow(n) + 34L * (k0 / 32);
                for (int b = 0; b < kc / 32; b++) {
                    FewRowsDecoder.q8_0(w, at + 34L * b, slice, 32 * b);
                }
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    static void q4_0(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                long at = s.wRow(n) + 18L * (k0 / 32);
                for (int b = 0; b < kc / 32; b++) {
                    FewRowsDecoder.q4_0(w, at + 18L * b, slice, 32 * b);
                }
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    static void q4_K(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                long at = s.wRow(n) + 144L * (k0 / 256);
                for (int b = 0; b < kc / 256; b++) {
                    FewRowsDecoder.q4_K(w, at + 144L * b, slice, 256 * b);
                }
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    static void q5_K(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                long at = s.wRow(n) + 176L * (k0 / 256);
                for (int b = 0; b < kc / 256; b++) {
                    FewRowsDecoder.q5_K(w, at + 176L * b, slice, 256 * b);
                }
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    static void q6_K(MatmulShape s, MemorySegment w, float[] x, float[] slice, float[] sums, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            java.util.Arrays.fill(sums, 0, m, 0f);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                long at = s.wRow(n) + 210L * (k0 / 256);
                for (int b = 0; b < kc / 256; b++) {
                    FewRowsDecoder.q6_K(w, at + 210L * b, slice, 256 * b);
                }
                FewRowsDots.accumulate(slice, kc, x, k, k0, m, sums);
            }
            store(s, out, n, sums);
        }
    }

    /** {@code out[i, n] = sums[i]} for every row i of x. */
    private static void store(MatmulShape s, MemorySegment out, int n, float[] sums) {
        for (int i = 0; i < s.m(); i++) {
            out.set(F32, s.outRow(i) + 4L * n, sums[i]);
        }
    }
}
