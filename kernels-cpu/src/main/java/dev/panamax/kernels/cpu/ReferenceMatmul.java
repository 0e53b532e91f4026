package dev.panamax.kernels.cpu;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The readable oracle of {@code out[m, n] = sum_k x[m, k] * w[n, k]}: dequantize one weight row,
 * ({@link Quants#dequantizeRow}), take its dot product with each activation row in float, in order. Slow on purpose.
 */
public final class ReferenceMatmul {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ReferenceMatmul() {
    }

    /**
     * {@code out = x · wᵀ} for x F32 {@code [M, K]}, w {@code [N, K]} of any weight dtype (read in
     * place), out F32 {@code [M, N]}.
     *
     * @param x   the activations, F32 {@code [M, K]}
     * @param w   the weights {@code [N, K]}
     * @param out the result, F32 {@code [M, N]}
     * @throws IllegalArgumentException if dtypes or shapes do not fit
     */
    public static void matmul(Tensor x, Tensor w, Tensor out) {
        MatmulShape s = MatmulShape.of(x, w, out);
        MemorySegment xs = x.segment(), ws = w.segment(), os = out.segment();
        float[] wRow = new float[s.k()];
        for (int n = 0; n < s.n(); n++) {
            Quants.dequantizeRow(s.wType(), ws, s.wRow(n), wRow, 0, s.k());
            for (int m = 0; m < s.m(); m++) {
                float sum = 0f;
                for (int k = 0; k < s.k(); k++) {
                    sum += xs.get(F32, s.xRow(m) + 4L * k) * wRow[k];
                }
                os.set(F32, s.outRow(m) + 4L * n, sum);
            }
        }
    }
}
