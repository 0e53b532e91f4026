package dev.panamax.transformer.tokenizer.hf;

/** {@code Strip}: removes White_Space characters from the left and/or right end. */
public record StripNormalizer(boolean left, boolean right) implements Normalizer {
    @Override
    public String normalize(String text) {
        int start = 0;
        int end = text.length();
        while (left && start < end && Chars.isWhiteSpace(text.codePointAt(start))) {
            start += Character.charCount(text.codePointAt(start));
        }
        while (right && end > start && Chars.isWhiteSpace(text.codePointBefore(end))) {
            end -= Character.charCount(text.codePointBefore(end));
        }
        return text.substring(start, end);
    }
}
