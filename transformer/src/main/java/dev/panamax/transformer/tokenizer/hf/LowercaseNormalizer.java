package dev.panamax.transformer.tokenizer.hf;

import java.util.Locale;

/** {@code Lowercase}: Unicode lower case, independent of the default locale. */
public record LowercaseNormalizer() implements Normalizer {
    @Override
    public String normalize(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
