package dev.panamax.transformer.tokenizer;

/**
 * A piece of the text being encoded: either a special token already recognised ({@code token >= 0})
 * or a stretch {@code [start, end)} of the text still to be tokenized.
 */
record Fragment(int token, int start, int end) {
    static Fragment token(int id) {
        return new Fragment(id, -1, -1);
    }

    static Fragment text(int start, int end) {
        return new Fragment(-1, start, end);
    }

    boolean isToken() {
        return token >= 0;
    }
}
