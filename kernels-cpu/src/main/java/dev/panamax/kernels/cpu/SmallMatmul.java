package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Small matmuls ({@link SmallShapes#matmulWork()}, e.g. every matmul of stories260K) in scalar code on the
 * caller's thread: each weight row is decoded to floats once ({@link WeightDecoder}; F32 is a bulk copy), then
 * dotted with every row of x with eight independent sums. Scalar code is compiled by C1 within a few calls and never
 * boxes, where the Vector API kernels run 20-100x slower until C2 has compiled them (once compiled they are about
 * 2x faster on these shapes: docs/benchmarks.md, "small models and start-up"). Its reference twin is
 * {@link ReferenceMatmul}; {@code CpuMatmulTest} checks both paths.
 */
final class SmallMatmul {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SmallMatmul() {
    }

    /**
     * {@code out[i, n] = w[n] . x[i]} for every row of w and x; x is in {@code x} ({@code [M, K]} packed), {@code row}
     * has at least K + N floats: a decoded weight row, then (M = 1) the output row, written to {@code out} with one
     * bulk copy (a store per element into a segment costs about as much as the dot of a short row).
     */
    static void rows(MatmulShape s, MemorySegment w, float[] x, float[] row, MemorySegment out) {
        int m = s.m(), k = s.k(), n = s.n();
        if (m == 1 && s.wType() == DType.F32) { // a decode step on F32 weights: dots read the weights where they lie
            for (int j = 0; j < n; j++) {
                row[k + j] = dot(w, s.wRow(j), x, k);
            }
            MemorySegment.copy(row, k, out, F32, s.outRow(0), n);
            return;
        }
        if (m == 1) { // a decode step
            for (int j = 0; j < n; j++) {
                if (k > 0) { // K = 0: no weight bytes to read, every dot is 0
                    WeightDecoder.decode(s.wType(), w, s.wRow(j), row, 0, k);
                }
                row[k + j] = dot(row, x, 0, k);
            }
            MemorySegment.copy(row, k, out, F32, s.outRow(0), n);
            return;
        }
        for (int j = 0; j < n; j++) {
            if (k > 0) {
                WeightDecoder.decode(s.wType(), w, s.wRow(j), row, 0, k);
            }
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * j, dot(row, x, i * k, k));
            }
        }
    }

    /**
     * {@link #dot(float[], float[], int, int)} with {@code a} the {@code k} floats at byte {@code at} of {@code w}, in the
     * same order of operations: copying each short F32 row into an array first cost more than its dot (on stories260K,
     * 3,512 rows of 32-512 floats per token, a call's fixed costs dominated).
     */
    static float dot(MemorySegment w, long at, float[] x, int k) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= k; i += 8) {
            long o = at + 4L * i;
            s0 += w.get(F32, o) * x[i];
            s1 += w.get(F32, o + 4) * x[i + 1];
            s2 += w.get(F32, o + 8) * x[i + 2];
            s3 += w.get(F32, o + 12) * x[i + 3];
            s4 += w.get(F32, o + 16) * x[i + 4];
            s5 += w.get(F32, o + 20) * x[i + 5];
            s6 += w.get(F32, o + 24) * x[i + 6];
            s7 += w.get(F32, o + 28) * x[i + 7];
        }
        for (; i < k; i++) {
            s0 += w.get(F32, at + 4L * i) * x[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * {@code sum_i a[i] x[xo + i]}, i < k, in eight interleaved partial sums: C2 keeps them in registers, and eight
     * chains of dependent adds keep both floating-point adders busy where four left them waiting on latency.
     */
    static float dot(float[] a, float[] x, int xo, int k) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= k; i += 8) {
            s0 += a[i] * x[xo + i];
            s1 += a[i + 1] * x[xo + i + 1];
            s2 += a[i + 2] * x[xo + i + 2];
            s3 += a[i + 3] * x[xo + i + 3];
            s4 += a[i + 4] * x[xo + i + 4];
            s5 += a[i + 5] * x[xo + i + 5];
            s6 += a[i + 6] * x[xo + i + 6];
            s7 += a[i + 7] * x[xo + i + 7];
        }
        for (; i < k; i++) {
            s0 += a[i] * x[xo + i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
