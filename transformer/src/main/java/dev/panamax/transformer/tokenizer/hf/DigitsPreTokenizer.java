package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Digits}: numeric characters apart from the rest, each alone with {@code individual_digits}. */
public record DigitsPreTokenizer(boolean individualDigits) implements PreTokenizerStep {
    @Override
    public void split(String piece, boolean first, List<String> out) {
        (individualDigits ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS)
                .split(piece, SplitBehavior.eachCodePoint(piece, Chars::isNumeric), false, out);
    }
}
