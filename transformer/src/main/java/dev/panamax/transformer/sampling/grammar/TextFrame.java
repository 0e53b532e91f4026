package dev.panamax.transformer.sampling.grammar;

/**
 * Inside a fixed text (the parts of a tool call's syntax around its arguments): exactly its bytes, then
 * {@code then}.
 *
 * @param text the text's bytes, not empty
 * @param at   the bytes read so far
 * @param then the state after the last byte
 */
record TextFrame(byte[] text, int at, Frame then) implements Frame {
    /** {@return the state that reads {@code text}, then goes on as {@code then}: {@code then} itself for an empty text} */
    static Frame of(byte[] text, Frame then) {
        return text.length == 0 ? then : new TextFrame(text, 0, then);
    }

    @Override
    public Frame next(int b) {
        if ((text[at] & 0xFF) != b) {
            return null;
        }
        return at + 1 == text.length ? then : new TextFrame(text, at + 1, then);
    }

    @Override
    public boolean complete() {
        return false;
    }

    /**
     * Holds a value that fixed text follows: when the value is complete, {@code after} reads on.
     *
     * @param after the state after the value
     */
    record Then(Frame after) implements Frame {
        @Override
        public Frame next(int b) {
            return null;
        }

        @Override
        public Frame resume() {
            return after;
        }
    }
}
