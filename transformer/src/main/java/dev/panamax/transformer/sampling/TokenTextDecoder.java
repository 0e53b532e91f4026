package dev.panamax.transformer.sampling;

/**
 * Turns a stream of token ids into text as it arrives, holding back bytes until they form whole
 * UTF-8 characters (a character may span several byte-fallback tokens). The tokenizer provides
 * implementations; {@link Generator} drives one per generation.
 */
public interface TokenTextDecoder {

    /** The text that token completes (possibly empty while a character is incomplete). */
    String decode(int token);

    /** Whatever is still held back at the end (incomplete characters as U+FFFD). */
    String finish();
}
