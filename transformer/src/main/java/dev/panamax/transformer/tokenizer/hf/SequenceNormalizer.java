package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Sequence}: the normalizers applied in order (none: the text unchanged). */
public record SequenceNormalizer(List<Normalizer> normalizers) implements Normalizer {
    public SequenceNormalizer {
        normalizers = List.copyOf(normalizers);
    }

    @Override
    public String normalize(String text) {
        for (Normalizer n : normalizers) {
            text = n.normalize(text);
        }
        return text;
    }
}
