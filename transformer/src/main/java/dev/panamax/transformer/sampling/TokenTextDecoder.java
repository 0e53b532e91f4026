package dev.panamax.transformer.sampling;

import dev.panamax.transformer.tokenizer.StreamingDecoder;

/**
 * Turns a stream of token ids into text as it arrives, holding back bytes until they form whole
 * UTF-8 characters (a character may span several byte-fallback tokens). {@link Generator} drives
 * one per generation; {@link #of(StreamingDecoder)} adapts the tokenizer's decoder.
 */
public interface TokenTextDecoder {

    /**
     * {@return the text that token completes (possibly empty while a character is incomplete)}
     *
     * @param token the next generated token
     */
    String decode(int token);

    /** {@return whatever is still held back at the end (incomplete characters as U+FFFD)} */
    String finish();

    /**
     * The tokenizer's streaming decoder as a {@code TokenTextDecoder}.
     *
     * @param decoder the tokenizer's decoder
     * @return a view calling {@link StreamingDecoder#next}
     */
    static TokenTextDecoder of(StreamingDecoder decoder) {
        return new TokenTextDecoder() {
            @Override
            public String decode(int token) {
                return decoder.next(token);
            }

            @Override
            public String finish() {
                return decoder.finish();
            }
        };
    }
}
