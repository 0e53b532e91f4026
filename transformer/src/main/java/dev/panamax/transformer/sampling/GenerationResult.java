package dev.panamax.transformer.sampling;

/**
 * What a generation produced and how fast.
 *
 * @param tokens       the generated tokens (without the prompt; with the end-of-generation token if one stopped it)
 * @param stopReason   why it stopped
 * @param promptTokens tokens in the prompt
 * @param prefillNanos time to process the prompt and sample the first token
 * @param decodeNanos  time for the remaining tokens, one forward pass each
 */
public record GenerationResult(int[] tokens, StopReason stopReason, int promptTokens, long prefillNanos, long decodeNanos) {

    /** Why generation ended. */
    public enum StopReason {
        /** The model produced an end-of-generation token. */
        END_OF_GENERATION,
        /** The requested number of tokens was produced. */
        MAX_TOKENS,
        /** The context is full. */
        CONTEXT_FULL,
        /** The text reached one of the stop strings asked for. */
        STOP_STRING,
        /** Another thread cancelled the generation. */
        CANCELLED
    }

    /** {@return prompt tokens per second} */
    public double prefillTokensPerSecond() {
        return promptTokens * 1e9 / Math.max(1, prefillNanos);
    }

    /** {@return generated tokens per second after the first (each needs one forward pass)} */
    public double decodeTokensPerSecond() {
        return Math.max(0, tokens.length - 1) * 1e9 / Math.max(1, decodeNanos);
    }

    /**
     * One line, as {@code panamax generate} prints it to stderr:
     * {@code prefill: N tokens in S s (X tokens/s); decode: M tokens in S s (Y tokens/s)}. Decode counts
     * the tokens after the first, which prefill's last forward pass produced.
     *
     * @return the line, without a newline
     */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "prefill: %d tokens in %.3f s (%.1f tokens/s); decode: %d tokens in %.3f s (%.1f tokens/s)",
                promptTokens, prefillNanos / 1e9, prefillTokensPerSecond(), Math.max(0, tokens.length - 1), decodeNanos / 1e9,
                decodeTokensPerSecond());
    }
}
