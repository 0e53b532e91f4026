package dev.panamax.transformer;

import dev.panamax.tensor.Rope;

/**
 * A model's rotary position embedding: which entries are paired, how many entries of each head
 * rotate, the base {@code theta}, and the long-context scaling.
 *
 * @param layout  {@link Rope.Layout#INTERLEAVED} for GGUF Llama (whose Q/K rows the converter
 *                permuted), {@link Rope.Layout#NEOX} for Hugging Face checkpoints and GGUF Qwen2
 * @param dims    rotated entries per head (even, at most the head dimension)
 * @param theta   the frequency base, e.g. 10000 or 500000
 * @param scaling long-context frequency scaling
 */
public record RopeConfig(Rope.Layout layout, int dims, double theta, RopeScaling scaling) {

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if the layout or scaling is null, or {@code dims} is not positive and even
     */
    public RopeConfig {
        if (layout == null || scaling == null) {
            throw new IllegalArgumentException("RoPE layout and scaling are required");
        }
        if (dims <= 0 || dims % 2 != 0) {
            throw new IllegalArgumentException("RoPE dimension count must be a positive even number, got " + dims);
        }
        if (!(theta > 1) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException("RoPE theta must be finite and greater than 1, got " + theta);
        }
    }

    /**
     * The inverse frequency of every rotated pair: {@code theta^(-2i/dims)}, then scaled. Computed
     * in double precision and rounded once to float.
     *
     * @return a new array of {@code dims / 2} frequencies, in radians per position
     */
    public float[] inverseFrequencies() {
        float[] freq = new float[dims / 2];
        for (int i = 0; i < freq.length; i++) {
            double base = Math.pow(theta, -2.0 * i / dims);
            freq[i] = (float) scaling.scale(i, base, dims, theta);
        }
        return freq;
    }

    /** {@return the kernel-level description handed to {@link dev.panamax.tensor.Ops#rope}} */
    public Rope toRope() {
        return new Rope(layout, inverseFrequencies());
    }

    /**
     * The same settings with another pair layout.
     *
     * @param newLayout the pairing of rotated entries
     * @return the new settings
     */
    public RopeConfig withLayout(Rope.Layout newLayout) {
        return new RopeConfig(newLayout, dims, theta, scaling);
    }

    /**
     * The same settings with another scaling.
     *
     * @param newScaling the long-context scaling
     * @return the new settings
     */
    public RopeConfig withScaling(RopeScaling newScaling) {
        return new RopeConfig(layout, dims, theta, newScaling);
    }
}
