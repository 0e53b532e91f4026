package dev.panamax.transformer.api;

import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.GenerationResult.StopReason;

/**
 * What one generation produced.
 *
 * @param text         the generated text (without the prompt, the end token or the stop string)
 * @param stopReason   why it ended: {@code MAX_TOKENS}, {@code STOP_STRING}, {@code END_OF_GENERATION}
 *                     (an end token), {@code CONTEXT_FULL} or {@code CANCELLED}
 * @param promptTokens tokens of the prompt
 * @param reusedTokens prompt tokens the session's KV cache already held, not computed again
 * @param generation   the tokens generated and the timings
 */
public record Completion(String text, StopReason stopReason, int promptTokens, int reusedTokens, GenerationResult generation) {

    /**
     * Tokens generated (the end token included, if one ended it).
     *
     * @return the count
     */
    public int generatedTokens() {
        return generation.tokens().length;
    }

    /**
     * Nanoseconds to process the prompt and sample the first token.
     *
     * @return the time to the first token
     */
    public long prefillNanos() {
        return generation.prefillNanos();
    }

    /**
     * Nanoseconds for the tokens after the first.
     *
     * @return the decoding time
     */
    public long decodeNanos() {
        return generation.decodeNanos();
    }

    /**
     * Tokens per second after the first.
     *
     * @return the decoding rate
     */
    public double decodeTokensPerSecond() {
        return generation.decodeTokensPerSecond();
    }
}
