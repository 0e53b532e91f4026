package dev.panamax.kernels.cpu;

/**
 * Activation rows quantized to 8-bit integers for the integer dot kernels, as ggml quantizes them
 * to Q8_0 (scale per 32 values) or Q8_K (scale per 256 values, with sums per 32).
 *
 * <p>Each block stores {@code q = round(x / d)} with {@code d = max|x| / 127}, so {@code |q| <= 127}
 * and {@code |x - d q| <= d / 2}. The integers are kept widened to {@code short}, the form the
 * kernels multiply, and the scales stay in float (ggml rounds them to f16; we need not). Buffers
 * grow on demand and are reused across calls.
 */
final class QuantizedActivations {
    /** {@code q[m * k + i]}: the quantized value i of row m. */
    short[] q = new short[0];
    /** The scale of each block, row after row. */
    float[] d = new float[0];
    /** Q8_K only: the sum of the quantized values of each 32-value sub-block, row after row. */
    int[] sums = new int[0];
    /**
     * The quantized values in pairs, {@code pairs[j] = q[2j] 2^16 + q[2j + 1]} (an int, not two shorts): the
     * form the 512-bit pair kernels ({@link PairDots}) multiply in 32-bit lanes.
     */
    int[] pairs = new int[0];
    /**
     * Q8_K only: per 256-value block, eight zeros then {@code d * sums} of its eight 32-value sub-blocks, so
     * that one 16-lane multiply-add with a block's scales and mins ({@link WideDots#kScalesAndMins}'s layout)
     * takes its mins term ({@link PairDots#dotQ4_K}).
     */
    float[] kSums = new float[0];
    /**
     * Q8_K only: {@code -2^21 sum} of the quantized values of each 16-value group, row after row ({@code k / 16} per
     * row; exact in a float, {@code |sum| <= 16 * 127}): Q6_K's offset of 32 in the units of the pair products
     * ({@code 32 * 2^16}), which {@link PairDots#dotQ6_K} scales by the group's weight scale.
     */
    float[] groupSums = new float[0];

    /** Quantizes rows {@code x[m * k ...]} in blocks of {@code block} values (32 or 256, dividing k). */
    void quantize(float[] x, int rows, int k, int block) {
        int blocksPerRow = k / block;
        if (q.length < rows * k) {
            q = new short[rows * k];
        }
        if (d.length < rows * blocksPerRow) {
            d = new float[rows * blocksPerRow];
        }
        if (sums.length < rows * (k / 32)) {
            sums = new int[rows * (k / 32)];
        }
        if (pairs.length < rows * k / 2) {
            pairs = new int[rows * k / 2];
        }
        if (block == 256 && kSums.length < rows * (k / 16)) {
            kSums = new float[rows * (k / 16)];
        }
        if (block == 256 && groupSums.length < rows * (k / 16)) {
            groupSums = new float[rows * (k / 16)];
        }
        for (int b = 0; b < rows * blocksPerRow; b++) {
            quantizeBlock(x, b * block, block, b);
        }
    }

    private void quantizeBlock(float[] x, int from, int block, int blockIndex) {
        float amax = 0f;
        for (int i = 0; i < block; i++) {
            amax = Math.max(amax, Math.abs(x[from + i]));
        }
        float scale = amax / 127f;
        float inverse = scale == 0f ? 0f : 1f / scale;
        d[blockIndex] = scale;
        for (int s = 0; s < block; s += 32) {
            int sum = 0, group = 0;
            for (int i = from + s; i < from + s + 32; i++) {
                int v = Math.round(x[i] * inverse);
                v = Math.max(-127, Math.min(127, v)); // rounding of x * (1/d) may overshoot 127 by one
                q[i] = (short) v;
                sum += v;
                group += v;
                if (block == 256 && i % 16 == 15) {
                    groupSums[i / 16] = -0x1p21f * group;
                    group = 0;
                }
            }
            sums[(from + s) / 32] = sum;
            if (block == 256) {
                int at = (from / 256) * 16 + s / 32;
                kSums[at] = 0f;
                kSums[at + 8] = scale * sum;
            }
        }
        for (int i = from; i < from + block; i += 2) {
            pairs[i / 2] = q[i] * 65536 + q[i + 1];
        }
    }
}
