package dev.panamax.transformer.tokenizer.hf;

/**
 * A text that a regular expression may read only so many characters of: java.util.regex has no
 * timeout, and a {@code tokenizer.json} pattern such as {@code (a+)+$} backtracks exponentially. Every
 * {@link #charAt} spends one step; past the budget it throws {@link Exhausted}, which
 * {@link TextPattern} turns into a {@code FormatException} naming the pattern.
 */
final class BoundedText implements CharSequence {
    /** Steps per character of the text: real tokenizers' patterns read each character a few times (measured on the shared pack's corpus: at most 14). */
    static final int STEPS_PER_CHAR = 1000;
    /** Steps any text gets, so that short texts never fail on patterns that are merely slow. */
    static final int MIN_STEPS = 1 << 20;

    /** The budget ran out; without a stack trace, as it is caught at once. */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super("regular expression step budget exhausted", null, false, false);
        }
    }

    private final String text;
    private long left;

    BoundedText(String text) {
        this.text = text;
        this.left = budget(text.length());
    }

    /** The steps a text of {@code length} characters may take. */
    static long budget(int length) {
        return Math.max(MIN_STEPS, (long) STEPS_PER_CHAR * length);
    }


    @Override
    public char charAt(int index) {
        if (--left < 0) {
            throw new Exhausted();
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}
