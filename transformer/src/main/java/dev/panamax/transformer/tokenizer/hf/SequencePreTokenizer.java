package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.List;

/** {@code Sequence}: each step splits every word the step before it produced. */
public record SequencePreTokenizer(List<PreTokenizerStep> steps) implements PreTokenizerStep {
    public SequencePreTokenizer {
        steps = List.copyOf(steps);
    }

    @Override
    public void split(String piece, boolean first, List<String> out) {
        List<String> words = List.of(piece);
        for (PreTokenizerStep step : steps) {
            List<String> next = new ArrayList<>(words.size() * 2);
            for (String w : words) {
                step.split(w, first, next);
            }
            words = next;
        }
        out.addAll(words);
    }
}
