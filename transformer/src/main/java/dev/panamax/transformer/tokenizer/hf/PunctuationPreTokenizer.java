package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Punctuation}: each punctuation character handled as {@code behavior} says (default Isolated). */
public record PunctuationPreTokenizer(SplitBehavior behavior) implements PreTokenizerStep {
    @Override
    public void split(String piece, boolean first, List<String> out) {
        behavior.split(piece, SplitBehavior.eachCodePoint(piece, Chars::isPunctuation), false, out);
    }
}
