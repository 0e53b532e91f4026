package dev.panamax.transformer.tokenizer.hf;

/**
 * {@code BertNormalizer} of WordPiece models: drops NUL, U+FFFD and control characters and turns
 * whitespace into spaces ({@code clean_text}), puts spaces around CJK ideographs
 * ({@code handle_chinese_chars}), strips accents (NFD, then no non-spacing marks; {@code strip_accents}
 * null means "when lower-casing"), then lower-cases code point by code point: in Hugging Face
 * tokenizers' order ({@code normalizers/bert.rs}), so a final capital sigma becomes σ, not ς.
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
        implements Normalizer {

    static BertNormalizer read(JsonNode node) {
        boolean lowercase = node.bool("lowercase", true);
        JsonNode strip = node.get("strip_accents");
        return new BertNormalizer(node.bool("clean_text", true), node.bool("handle_chinese_chars", true),
                strip.isNull() ? lowercase : node.bool("strip_accents", lowercase), lowercase);
    }

    @Override
    public String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cleanText && (cp == 0 || cp == 0xFFFD || isControl(cp))) {
                return;
            }
            if (cleanText && isBertWhitespace(cp)) {
                out.append(' ');
            } else if (handleChineseChars && Chars.isCjkIdeograph(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        String s = out.toString();
        if (stripAccents) {
            StringBuilder stripped = new StringBuilder(s.length());
            java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).codePoints()
                    .filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                    .forEach(stripped::appendCodePoint);
            s = stripped.toString();
        }
        return lowercase ? Chars.lowercase(s) : s;
    }

    /** Rust's {@code char::is_whitespace} (the control characters among it were dropped before). */
    private static boolean isBertWhitespace(int cp) {
        return Chars.isWhiteSpace(cp);
    }

    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE
                || t == Character.UNASSIGNED || t == Character.SURROGATE;
    }
}
