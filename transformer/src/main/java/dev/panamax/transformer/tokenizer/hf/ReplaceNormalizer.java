package dev.panamax.transformer.tokenizer.hf;

/** {@code Replace}: every match of {@code pattern} (a literal or a regex) becomes {@code content}. */
public record ReplaceNormalizer(TextPattern pattern, String content) implements Normalizer {
    @Override
    public String normalize(String text) {
        return pattern.replaceAll(text, content);
    }
}
