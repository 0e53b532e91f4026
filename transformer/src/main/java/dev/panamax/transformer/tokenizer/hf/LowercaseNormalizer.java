package dev.panamax.transformer.tokenizer.hf;

/** {@code Lowercase}: Unicode lower case per code point, as Hugging Face tokenizers (see {@link Chars#lowercase}). */
public record LowercaseNormalizer() implements Normalizer {
    @Override
    public String normalize(String text) {
        return Chars.lowercase(text);
    }
}
