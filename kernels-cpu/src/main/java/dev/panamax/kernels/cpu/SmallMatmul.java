package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Small matmuls ({@link SmallShapes#matmulWork()}, e.g. every matmul of stories260K) in scalar code on the
 * caller's thread: each weight row is decoded to floats once ({@link WeightDecoder}; F32 is a bulk copy), then
 * dotted with every row of x with four independent sums. Scalar code is compiled by C1 within a few calls and never
 * boxes, where the Vector API kernels run 20-100x slower until C2 has compiled them (once compiled they are about
 * 2x faster on these shapes: docs/benchmarks.md, "small models and start-up"). Its reference twin is
 * {@link ReferenceMatmul}; {@code CpuMatmulTest} checks both paths.
 */
final class SmallMatmul {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SmallMatmul() {
    }

    /** {@code out[i, n] = w[n] . x[i]} for every row of w and x; x is in {@code x} ({@code [M, K]} packed), {@code row} has K floats. */
    static void rows(MatmulShape s, MemorySegment w, float[] x, float[] row, MemorySegment out) {
        int m = s.m(), k = s.k();
        for (int n = 0; n < s.n(); n++) {
            if (k > 0) { // K = 0: no weight bytes to read, every dot is 0
                WeightDecoder.decode(s.wType(), w, s.wRow(n), row, 0, k);
            }
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, dot(row, x, i * k, k));
            }
        }
    }

    /** {@code sum_i a[i] x[xo + i]}, i < k, in four interleaved partial sums (C2 keeps them in registers). */
    static float dot(float[] a, float[] x, int xo, int k) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= k; i += 4) {
            s0 += a[i] * x[xo + i];
            s1 += a[i + 1] * x[xo + i + 1];
            s2 += a[i + 2] * x[xo + i + 2];
            s3 += a[i + 3] * x[xo + i + 3];
        }
        for (; i < k; i++) {
            s0 += a[i] * x[xo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
