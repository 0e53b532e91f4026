package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The scalar twin of {@link FewRowsLoops}: the same slices of {@link FewRowsLoops#KC} weights, decoded by
 * {@link WeightDecoder} (which {@link FewRowsDecoder} matches bit for bit), each dotted in order with the
 * same slice of every row of x and added to that row's running sum. Only the summation order within a
 * slice differs from the vector kernel. For tests.
 */
final class FewRowsReference {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FewRowsReference() {
    }

    /** As {@link FewRowsLoops#rows} for every weight row; x packed {@code [M, K]}. */
    static void rows(MatmulShape s, MemorySegment w, float[] x, MemorySegment out) {
        int m = s.m(), k = s.k();
        float[] slice = new float[FewRowsLoops.KC];
        float[] sums = new float[m];
        for (int n = 0; n < s.n(); n++) {
            java.util.Arrays.fill(sums, 0f);
            for (int k0 = 0; k0 < k; k0 += FewRowsLoops.KC) {
                int kc = Math.min(FewRowsLoops.KC, k - k0);
                WeightDecoder.decode(s.wType(), w, s.wRow(n) + s.wType().byteSize(k0), slice, 0, kc);
                for (int i = 0; i < m; i++) {
                    float sum = 0f;
                    for (int j = 0; j < kc; j++) {
                        sum += slice[j] * x[i * k + k0 + j];
                    }
                    sums[i] += sum;
                }
            }
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, sums[i]);
            }
        }
    }
}
