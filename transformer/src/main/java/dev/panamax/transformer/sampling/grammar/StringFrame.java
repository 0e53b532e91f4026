package dev.panamax.transformer.sampling.grammar;

/**
 * Inside a string, after the opening quote: plain characters (valid UTF-8, no control characters),
 * escapes ({@code \" \\ \/ \b \f \n \r \t}, {@code \}{@code uXXXX} outside the surrogates), up to the
 * closing quote, which hands over to the parent. Surrogate escapes are left out so that every string
 * reads as well-formed text.
 *
 * @param parent where the string goes (an object's key or a value)
 * @param state  {@link #PLAIN}, or where in an escape or a multi-byte character the string is
 */
record StringFrame(Frame parent, int state) implements Frame {
    static final int PLAIN = 0;
    private static final int ESCAPE = 1;
    /** After {@code \}{@code u}: four hex digits to come. */
    private static final int HEX4 = 2;
    /** Three hex digits to come, the first not 'd'. */
    private static final int HEX3 = 3;
    /** Three to come after a first 'd': the second must be 0-7 (no surrogates). */
    private static final int HEX3_D = 4;
    private static final int HEX2 = 5;
    private static final int HEX1 = 6;
    /** UTF-8: that many continuation bytes (80-BF) to come. */
    private static final int CONT1 = 7;
    private static final int CONT2 = 8;
    private static final int CONT3 = 9;
    /** After E0: A0-BF, then one more (no overlong forms). */
    private static final int AFTER_E0 = 10;
    /** After ED: 80-9F, then one more (no surrogates). */
    private static final int AFTER_ED = 11;
    /** After F0: 90-BF, then two more (no overlong forms). */
    private static final int AFTER_F0 = 12;
    /** After F4: 80-8F, then two more (nothing past U+10FFFF). */
    private static final int AFTER_F4 = 13;

    @Override
    public Frame next(int b) {
        return switch (state) {
            case PLAIN -> plain(b);
            case ESCAPE -> switch (b) {
                case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> to(PLAIN);
                case 'u' -> to(HEX4);
                default -> null;
            };
            case HEX4 -> b == 'd' || b == 'D' ? to(HEX3_D) : hex(b) ? to(HEX3) : null;
            case HEX3 -> hex(b) ? to(HEX2) : null;
            case HEX3_D -> b >= '0' && b <= '7' ? to(HEX2) : null;
            case HEX2 -> hex(b) ? to(HEX1) : null;
            case HEX1 -> hex(b) ? to(PLAIN) : null;
            case CONT1 -> continuation(b, 0x80, 0xBF) ? to(PLAIN) : null;
            case CONT2 -> continuation(b, 0x80, 0xBF) ? to(CONT1) : null;
            case CONT3 -> continuation(b, 0x80, 0xBF) ? to(CONT2) : null;
            case AFTER_E0 -> continuation(b, 0xA0, 0xBF) ? to(CONT1) : null;
            case AFTER_ED -> continuation(b, 0x80, 0x9F) ? to(CONT1) : null;
            case AFTER_F0 -> continuation(b, 0x90, 0xBF) ? to(CONT2) : null;
            case AFTER_F4 -> continuation(b, 0x80, 0x8F) ? to(CONT2) : null;
            default -> throw new IllegalStateException("string state " + state);
        };
    }

    private Frame plain(int b) {
        if (b == '"') {
            return parent.resume();
        }
        if (b == '\\') {
            return to(ESCAPE);
        }
        if (b < 0x20) {
            return null;
        }
        if (b < 0x80) {
            return this;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            return to(CONT1);
        }
        if (b == 0xE0) {
            return to(AFTER_E0);
        }
        if (b == 0xED) {
            return to(AFTER_ED);
        }
        if (b >= 0xE1 && b <= 0xEF) {
            return to(CONT2);
        }
        if (b == 0xF0) {
            return to(AFTER_F0);
        }
        if (b == 0xF4) {
            return to(AFTER_F4);
        }
        if (b >= 0xF1 && b <= 0xF3) {
            return to(CONT3);
        }
        return null; // 80-C1 (a continuation or an overlong lead) and F5-FF never start a character
    }

    private Frame to(int s) {
        return s == state ? this : new StringFrame(parent, s);
    }

    private static boolean hex(int b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static boolean continuation(int b, int low, int high) {
        return b >= low && b <= high;
    }
}
