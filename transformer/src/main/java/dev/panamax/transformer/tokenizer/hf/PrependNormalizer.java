package dev.panamax.transformer.tokenizer.hf;

/** {@code Prepend}: puts {@code prepend} (SentencePiece's {@code ▁}) before non-empty text. */
public record PrependNormalizer(String prepend) implements Normalizer {
    @Override
    public String normalize(String text) {
        return text.isEmpty() ? text : prepend + text;
    }
}
