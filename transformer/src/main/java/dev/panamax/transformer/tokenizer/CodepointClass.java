package dev.panamax.transformer.tokenizer;

/**
 * Unicode classes of code points as llama.cpp's pre-tokenizers see them: one general category
 * group (letter, number, ...) per code point, plus the separate White_Space property.
 *
 * <p>Categories come from {@link Character#getType(int)}, so from the JDK's Unicode version; llama.cpp
 * ships its own tables. The two agree on every code point assigned in both versions.
 */
final class CodepointClass {
    static final int UNDEFINED = 0x01;
    static final int NUMBER = 0x02;
    static final int LETTER = 0x04;
    static final int SEPARATOR = 0x08;
    static final int MARK = 0x10;
    static final int PUNCTUATION = 0x20;
    static final int SYMBOL = 0x40;
    static final int CONTROL = 0x80;

    private CodepointClass() {
    }

    /** The category group of {@code cp}: one of the constants above. */
    static int category(int cp) {
        if (cp < 0 || cp > Character.MAX_CODE_POINT) {
            return UNDEFINED;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            default -> UNDEFINED;
        };
    }

    static boolean isLetter(int cp) {
        return category(cp) == LETTER;
    }

    static boolean isNumber(int cp) {
        return category(cp) == NUMBER;
    }

    /** The Unicode White_Space property (what Python's and Rust's regex {@code \s} match). */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    /**
     * The one-character stand-in for {@code cp} that llama.cpp's regex fallback matches against:
     * ASCII stays itself, other whitespace becomes vertical tab, and every other code point becomes
     * a private byte for its category group (see {@link RegexSplit}).
     */
    static char collapse(int cp) {
        if (cp < 0x80) {
            return (char) cp;
        }
        if (isWhitespace(cp)) {
            return 0x0B;
        }
        return switch (category(cp)) {
            case NUMBER -> 0xD1;
            case LETTER -> 0xD2;
            case PUNCTUATION -> 0xD3;
            case MARK -> 0xD4;
            case SYMBOL -> 0xD5;
            default -> 0xD0;
        };
    }
}
