package dev.panamax.kernels.cpu;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random weights of every dtype and the float64 oracle of matmul, with its derived error bound. */
final class MatmulFixtures {
    static final DType[] WEIGHT_TYPES = {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_1,
            DType.Q5_0, DType.Q5_1, DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K};
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Unit roundoff of float. */
    static final double U = Math.ulp(1.0f) / 2;

    private MatmulFixtures() {
    }

    /**
     * A {@code [rows, cols]} weight of {@code type}. Quantized weights are either ggml's quantization
     * of Gaussian values or random block bytes with sane f16 scales (every bit pattern of the integer
     * fields, including Q8_0's -128 and 6-bit scales of 63).
     */
    static Tensor weight(Arena arena, Random random, DType type, int rows, int cols) {
        if (!type.isQuantized()) {
            Tensor f32 = Tensor.of(arena, Seeded.gaussian(random, rows * cols, 1.0), rows, cols);
            return type == DType.F32 ? f32 : f32.to(arena, type);
        }
        Tensor w = Tensor.allocate(arena, type, rows, cols);
        if (random.nextBoolean()) {
            float[] values = Seeded.gaussian(random, rows * cols, 1.0);
            for (int r = 0; r < rows; r++) {
                Quants.quantizeRow(type, values, r * cols, cols, w.segment(), w.byteOffset() + type.byteSize((long) r * cols));
            }
        } else {
            MemorySegment s = w.segment();
            long blocks = w.byteSize() / type.bytesPerBlock();
            for (long i = 0; i < w.byteSize(); i++) {
                s.set(ValueLayout.JAVA_BYTE, w.byteOffset() + i, (byte) random.nextInt());
            }
            for (long b = 0; b < blocks; b++) {
                long at = w.byteOffset() + b * type.bytesPerBlock();
                for (int field : f16Fields(type)) {
                    float scale = (0.001f + 0.01f * random.nextFloat()) * (random.nextBoolean() ? 1 : -1);
                    s.set(I16, at + field, Float.floatToFloat16(scale));
                }
            }
        }
        return w;
    }

    /** Byte offsets of the f16 scale fields within a block. */
    static int[] f16Fields(DType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    /**
     * Largest possible magnitude of the offset ("min") term of one block, which decoding adds to d*q
     * (Q4_0's -8 d counts too: kernels may sum d q x and 8 d x separately).
     */
    static double minTermBound(DType type, MemorySegment s, long blockAt) {
        return switch (type) {
            case Q4_0 -> 8 * Math.abs(Float.float16ToFloat(s.get(I16, blockAt)));
            case Q4_1, Q5_1 -> Math.abs(Float.float16ToFloat(s.get(I16, blockAt + 2)));
            case Q2_K -> 15 * Math.abs(Float.float16ToFloat(s.get(I16, blockAt + 82)));
            case Q4_K, Q5_K -> 63 * Math.abs(Float.float16ToFloat(s.get(I16, blockAt + 2)));
            default -> 0;
        };
    }

    /** The weight rows decoded by {@link Quants}, the formats module's codecs (independent of the kernels). */
    static float[][] dequantized(Tensor w) {
        int rows = (int) w.size(0), cols = (int) w.size(1);
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            MemorySegment row = w.row(r);
            Quants.dequantizeRow(w.dtype(), row, 0, out[r], 0, cols);
        }
        return out;
    }

    /**
     * The exact-ish result {@code sum_k x[m,k] w[n,k]} in float64 and a bound on the error any
     * correct float kernel may make:
     * <ul>
     * <li>accumulation in float in any order: {@code gamma_(K+4) sum_k |x_k| (|w_k| + minTerm_k)},
     * gamma_n = n u / (1 - n u) (Higham 3.5; +4 covers block scaling and the final reduction;
     * kernels may sum the d*q and min parts of a weight separately, hence minTerm);</li>
     * <li>decoding a weight in float (d * sc * q - dmin * m): at most 4 roundings of terms no larger
     * than {@code |w_k| + minTerm}, so {@code 4u sum_k |x_k| (|w_k| + minTerm_k)}, as the oracle's
     * decoder may round in another order;</li>
     * <li>for quantized weights, activations may be quantized to 8 bits per block of 32 (Q8_0) or
     * 256 (Q8_K) as ggml does: {@code |x - d q| <= d/2} with {@code d = max|x_block| / 127}, hence
     * {@code sum_k |w_k| d_k / 2}, where the accumulation term then applies to |x_k| + d_k/2.</li>
     * </ul>
     */
    static double[] oracle(float[] x, int k, float[] w, Tensor weight, int row) {
        DType type = weight.dtype();
        MemorySegment s = weight.row(row);
        double sum = 0, abs = 0, decode = 0, activation = 0;
        int actBlock = type.blockSize() == 256 ? 256 : 32;
        double d = 0;
        for (int i = 0; i < k; i++) {
            if (type.isQuantized() && i % actBlock == 0) {
                double amax = 0;
                for (int j = i; j < i + actBlock; j++) {
                    amax = Math.max(amax, Math.abs(x[j]));
                }
                d = amax / 127;
            }
            double minTerm = type.isQuantized() ? minTermBound(type, s, type.byteSize(i - i % type.blockSize())) : 0;
            sum += (double) x[i] * w[i];
            abs += (Math.abs(x[i]) + d / 2) * (Math.abs(w[i]) + minTerm);
            if (type.isQuantized()) {
                decode += Math.abs(x[i]) * (Math.abs(w[i]) + minTerm);
            }
            activation += Math.abs(w[i]) * d / 2 * (1 + 2 * U); // d/2 itself rounded in float
        }
        double n = k + 4;
        double gamma = n * U / (1 - n * U);
        return new double[] {sum, gamma * abs + 4 * U * decode + activation};
    }
}
