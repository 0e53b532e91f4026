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
        CONTEXT_FULL
    }

    /** Prompt tokens per second. */
    public double prefillTokensPerSecond() {
        return promptTokens * 1e9 / Math.max(1, prefillNanos);
    }

    /** Generated tokens per second after the first (each needs one forward pass). */
    public double decodeTokensPerSecond() {
        return Math.max(0, tokens.length - 1) * 1e9 / Math.max(1, decodeNanos);
    }

    /** One line: tokens and speeds. */
    public String summary() {
        return String.format("prompt %d tokens, %.1f tok/s; generated %d tokens, %.1f tok/s; stopped: %s",
                promptTokens, prefillTokensPerSecond(), tokens.length, decodeTokensPerSecond(), stopReason);
    }
}
