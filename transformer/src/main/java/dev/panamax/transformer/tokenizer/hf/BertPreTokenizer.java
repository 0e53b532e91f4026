package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.List;

/** {@code BertPreTokenizer}: split at whitespace (dropped), then every punctuation character alone. */
public record BertPreTokenizer() implements PreTokenizerStep {
    @Override
    public void split(String piece, boolean first, List<String> out) {
        List<String> words = new ArrayList<>();
        SplitBehavior.REMOVED.split(piece, SplitBehavior.eachCodePoint(piece, Chars::isWhiteSpace), false, words);
        for (String w : words) {
            SplitBehavior.ISOLATED.split(w, SplitBehavior.eachCodePoint(w, Chars::isPunctuation), false, out);
        }
    }
}
