package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Split}: cuts at the matches of a literal or regex, handling them as {@code behavior} says. */
public record SplitPreTokenizer(TextPattern pattern, SplitBehavior behavior, boolean invert) implements PreTokenizerStep {
    @Override
    public void split(String piece, boolean first, List<String> out) {
        behavior.split(piece, pattern.find(piece), invert, out);
    }
}
