package dev.panamax.transformer.tokenizer;

/** One step of a pre-tokenizer: cuts every chunk of the text into finer chunks. */
interface SplitRule {
    /**
     * Splits each chunk of {@code chunks} (lengths in code points, in order, summing to the text's
     * length) and returns the new chunk lengths. Every code point stays in exactly one chunk.
     */
    IntList apply(SplitText text, IntList chunks);
}
