package dev.panamax.transformer.tokenizer.hf;

/** {@code NFC}, {@code NFD}, {@code NFKC} or {@code NFKD}: Unicode normalization (JDK tables). */
public record UnicodeNormalizer(java.text.Normalizer.Form form) implements Normalizer {
    @Override
    public String normalize(String text) {
        return java.text.Normalizer.normalize(text, form);
    }
}
