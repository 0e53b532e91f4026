package dev.panamax.transformer.sampling.grammar;

/**
 * The end of one part of a text of several ({@link Grammar#oneOrMore}): the text may end here, or the next part
 * begin. The next part's ways end in this same frame again, so the state is a loop: {@link #next} is set once, while
 * the grammar is built, and never changed after (the frame is then as immutable as the others).
 */
final class PartEnd implements Frame {
    private Frame next;

    /** Sets where the next part begins: once, before any matcher sees this frame. */
    void then(Frame start) {
        if (next != null) {
            throw new IllegalStateException("a part's end is tied to its next part once");
        }
        next = start;
    }

    @Override
    public Frame next(int b) {
        return next.next(b);
    }

    @Override
    public boolean complete() {
        return true;
    }
}
