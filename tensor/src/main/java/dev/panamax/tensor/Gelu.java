package dev.panamax.tensor;

/** The two forms of GELU in use. */
public enum Gelu {
    /** {@code x/2 * (1 + erf(x / sqrt 2))}: the definition. */
    ERF,
    /** {@code x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x³)))}: GPT-2's approximation. */
    TANH
}
