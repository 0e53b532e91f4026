package dev.panamax.tensor;

import java.util.Arrays;

/**
 * Rotary position embedding settings: which entries of a head form the rotated pairs, and the
 * angular frequency of each pair.
 *
 * <p>Pair {@code i} of a head at position {@code p} is rotated by the angle
 * {@code p * inverseFrequencies[i]}. Models differ only in how they compute the frequencies
 * ({@code theta^(-2i/dims)}, optionally rescaled for long contexts as Llama 3.1 does), which
 * {@link #of} and the transformer module do; kernels take them as given.
 *
 * @param layout             which entries are paired
 * @param inverseFrequencies one frequency per rotated pair; {@code 2 * length} entries of each head are rotated
 */
public record Rope(Layout layout, float[] inverseFrequencies) {

    /** How the rotated pairs are laid out in a head of {@code D} entries. */
    public enum Layout {
        /** Adjacent entries {@code (2i, 2i + 1)}: the original RoPE, GGUF Llama models (ggml mode 0). */
        INTERLEAVED,
        /** Halves {@code (i, i + dims/2)}: GPT-NeoX, Hugging Face checkpoints, Qwen2 in GGUF (ggml mode 2). */
        NEOX
    }

    /**
     * Copies the frequencies, so that the record cannot be changed through the caller's array.
     *
     * @throws IllegalArgumentException if there are no frequencies
     */
    public Rope {
        if (inverseFrequencies.length == 0) {
            throw new IllegalArgumentException("RoPE needs at least one rotated pair");
        }
        inverseFrequencies = inverseFrequencies.clone();
    }

    /**
     * Standard RoPE over the first {@code dims} entries of each head with base {@code theta}: pair
     * {@code i} turns with frequency {@code theta^(-2i/dims)}.
     *
     * @param layout which entries form the pairs
     * @param dims   the rotated entries per head, positive and even (the head size, or less for partial RoPE)
     * @param theta  the base, {@code rope_theta} in a Hugging Face config (10000 for the original RoPE)
     * @return the settings
     * @throws IllegalArgumentException if {@code dims} is not positive and even
     */
    public static Rope of(Layout layout, int dims, double theta) {
        if (dims <= 0 || dims % 2 != 0) {
            throw new IllegalArgumentException("RoPE dims must be a positive even number, got " + dims);
        }
        float[] freq = new float[dims / 2];
        for (int i = 0; i < freq.length; i++) {
            freq[i] = (float) Math.pow(theta, -2.0 * i / dims);
        }
        return new Rope(layout, freq);
    }

    /**
     * Number of rotated entries per head.
     *
     * @return twice the number of frequencies
     */
    public int dims() {
        return 2 * inverseFrequencies.length;
    }

    /**
     * The frequencies (a copy).
     *
     * @return a new array with one frequency per pair, in radians per position
     */
    @Override
    public float[] inverseFrequencies() {
        return inverseFrequencies.clone();
    }

    /**
     * Frequency of pair {@code i}, without copying.
     *
     * @param i the pair, in {@code [0, dims() / 2)}
     * @return its frequency in radians per position
     */
    public float inverseFrequency(int i) {
        return inverseFrequencies[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rope r && r.layout == layout && Arrays.equals(r.inverseFrequencies, inverseFrequencies);
    }

    @Override
    public int hashCode() {
        return layout.hashCode() * 31 + Arrays.hashCode(inverseFrequencies);
    }

    @Override
    public String toString() {
        return "Rope[" + layout + ", dims=" + dims() + "]";
    }
}
