package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Whitespace}: runs of word characters and runs of other non-space characters ({@code \w+|[^\w\s]+}). */
public record WhitespacePreTokenizer() implements PreTokenizerStep {
    private static final TextPattern WORDS = new TextPattern(null, OnigurumaRegex.compile("\\w+|[^\\w\\s]+"));

    @Override
    public void split(String piece, boolean first, List<String> out) {
        SplitBehavior.REMOVED.split(piece, WORDS.find(piece), true, out);
    }
}
