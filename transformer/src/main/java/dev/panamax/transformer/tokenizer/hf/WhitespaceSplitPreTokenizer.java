package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code WhitespaceSplit}: the runs of non-whitespace. */
public record WhitespaceSplitPreTokenizer() implements PreTokenizerStep {
    @Override
    public void split(String piece, boolean first, List<String> out) {
        SplitBehavior.REMOVED.split(piece, SplitBehavior.eachCodePoint(piece, Chars::isWhiteSpace), false, out);
    }
}
