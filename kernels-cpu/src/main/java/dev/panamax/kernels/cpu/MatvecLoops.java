package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The row loops of the matrix-vector path, one method per weight dtype: for weight rows
 * {@code [start, end)} and each of the M rows of x, {@code out[i, n] = w[n] . x[i]}.
 *
 * <p>Why one method per dtype rather than one loop with a switch inside: C2 compiles each of these
 * as its own hot root with just its own kernel inlined. A shared loop sees every dtype of a mixed
 * model (Q4_0 with Q6_K, Q4_K with Q6_K), recompiles each time a new branch turns up, and once
 * C2 gives up on it the loop runs in the interpreter: measured 7 tokens/s instead of 37 on a mixed
 * Q4_0 model. Here the caller switches once per chunk of rows, a cost that does not matter even
 * when interpreted.
 */
final class MatvecLoops {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MatvecLoops() {
    }

    /** F32 weights, {@value RowGroupDots#ROWS} rows per step ({@link RowGroupDots} says why), the rest one by one. */
    static void f32(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        long stride = s.wRowBytes();
        int n = start;
        for (; n <= end - RowGroupDots.ROWS; n += RowGroupDots.ROWS) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                RowGroupDots.dotF32x4(w, at, stride, x, i * k, k, out, s.outRow(i) + 4L * n);
            }
        }
        for (; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, RowGroupDots.dotF32(w, at, x, i * k, k));
            }
        }
    }

    static void bf16(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, VectorDots.dotBF16(w, at, x, i * k, k));
            }
        }
    }

    /** Any dtype without a dot kernel: each row decoded to floats once, then dotted with every x row. */
    static void decoded(MatmulShape s, MemorySegment w, float[] x, float[] row, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            WeightDecoder.decode(s.wType(), w, s.wRow(n), row, 0, k);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, VectorDots.dot(row, 0, x, i * k, k));
            }
        }
    }

    // ---------------------------------------------------------------- 512-bit float kernels (WideDots)

    static void q8_0Wide(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, WideDots.dotQ8_0(w, at, x, i * k, k / 32));
            }
        }
    }

    static void q4_1Wide(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, WideDots.dotQ4_1(w, at, x, i * k, k / 32));
            }
        }
    }

    static void q5_0Wide(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, WideDots.dotQ5_0(w, at, x, i * k, k / 32));
            }
        }
    }

    static void q5_1Wide(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, WideDots.dotQ5_1(w, at, x, i * k, k / 32));
            }
        }
    }

    /** Q4_0 with Q8_0 activations on 512-bit machines ({@link PairDots}). */
    static void q4_0Pairs(MatmulShape s, MemorySegment w, QuantizedActivations a, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, PairDots.dotQ4_0(w, at, a.pairs, a.d, a.sums, i * k, k / 32));
            }
        }
    }

    /** {@link #q4_0Pairs} with the block scales looked up ({@link PairDots#dotQ4_0Table}; {@link DotRoutes} chooses). */
    static void q4_0PairsTable(MatmulShape s, MemorySegment w, QuantizedActivations a, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, PairDots.dotQ4_0Table(w, at, a.pairs, a.d, a.sums, i * k, k / 32));
            }
        }
    }

    /** Q4_K with Q8_K activations on 512-bit vectors ({@link PairDots}); {@code scalesAndMins}: 16 floats of scratch. */
    static void q4_KPairs(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scalesAndMins,
            MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, PairDots.dotQ4_K(w, at, scalesAndMins, a.pairs, a.d, a.kSums, i * k, k / 256));
            }
        }
    }

    /**
     * As {@link #q4_KPairs}, two weight rows per step ({@link TwoRowPairDots}, each row bit for bit its one-row dot),
     * an odd last row alone; {@code scalesAndMins}: 32 floats of scratch.
     */
    static void q4_KTwoRows(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scalesAndMins,
            MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        long stride = s.wRowBytes();
        int n = start;
        for (; n + 2 <= end; n += 2) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                TwoRowPairDots.dotQ4_K(w, at, stride, scalesAndMins, a.pairs, a.d, a.kSums, i * k, k / 256, out, s.outRow(i) + 4L * n);
            }
        }
        if (n < end) {
            q4_KPairs(s, w, a, scalesAndMins, out, n, end);
        }
    }

    /** {@code xSums}: the sums of x over each 32-value block, as {@link WideDots#kBlockSums} lays them out. */
    static void q5_KWide(MatmulShape s, MemorySegment w, float[] x, float[] xSums, float[] blockScales,
            MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, WideDots.dotQ5_K(w, at, blockScales, x, xSums, i * k, k / 256));
            }
        }
    }

    /** {@code xSums}: the sums of x over each 16-value group ({@link WideDots#groupSums}). */
    static void q2_KWide(MatmulShape s, MemorySegment w, float[] x, float[] xSums, float[] blockScales, MemorySegment out,
            int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, WideDots.dotQ2_K(w, at, blockScales, x, xSums, i * k, k / 256));
            }
        }
    }

    static void q3_KWide(MatmulShape s, MemorySegment w, float[] x, float[] blockScales, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, WideDots.dotQ3_K(w, at, blockScales, x, i * k, k / 256));
            }
        }
    }

    /** Q6_K with Q8_K activations on 512-bit vectors ({@link PairDots#dotQ6_K}); {@code scratch}: 16 floats. */
    static void q6_KPairs(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scratch, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, PairDots.dotQ6_K(w, at, scratch, a.pairs, a.d, a.groupSums, i * k, k / 256));
            }
        }
    }

    /** As {@link #q6_KPairs}, two weight rows per step ({@link TwoRowPairDots}), an odd last row alone; {@code scratch}: 16 floats. */
    static void q6_KTwoRows(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scratch, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        long stride = s.wRowBytes();
        int n = start;
        for (; n + 2 <= end; n += 2) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                TwoRowPairDots.dotQ6_K(w, at, stride, a.pairs, a.d, a.groupSums, i * k, k / 256, out, s.outRow(i) + 4L * n);
            }
        }
        if (n < end) {
            q6_KPairs(s, w, a, scratch, out, n, end);
        }
    }

    // ---------------------------------------------------------------- integer kernels on quantized x (VectorDots)

    static void q8_0(MatmulShape s, MemorySegment w, QuantizedActivations a, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, VectorDots.dotQ8_0(w, at, a.q, a.d, i * k, k / 32));
            }
        }
    }

    static void q4_0(MatmulShape s, MemorySegment w, QuantizedActivations a, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, VectorDots.dotQ4_0(w, at, a.q, a.d, a.sums, i * k, k / 32));
            }
        }
    }

    static void q4_K(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scales, float[] mins,
            MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            VectorDots.kScales(w, at, k / 256, 144, scales, mins);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, VectorDots.dotQ4_K(w, at, scales, mins, a.q, a.d, a.sums, i * k, k / 256));
            }
        }
    }

    static void q5_K(MatmulShape s, MemorySegment w, QuantizedActivations a, float[] scales, float[] mins,
            MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            VectorDots.kScales(w, at, k / 256, 176, scales, mins);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, VectorDots.dotQ5_K(w, at, scales, mins, a.q, a.d, a.sums, i * k, k / 256));
            }
        }
    }

    static void q6_K(MatmulShape s, MemorySegment w, QuantizedActivations a, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, VectorDots.dotQ6_K(w, at, a.q, a.d, i * k, k / 256));
            }
        }
    }
}
