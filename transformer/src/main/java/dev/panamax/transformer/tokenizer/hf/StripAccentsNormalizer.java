package dev.panamax.transformer.tokenizer.hf;

/** {@code StripAccents}: removes combining marks (category M); usually after {@code NFD}. */
public record StripAccentsNormalizer() implements Normalizer {
    @Override
    public String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().filter(cp -> !Chars.isMark(cp)).forEach(out::appendCodePoint);
        return out.toString();
    }
}
