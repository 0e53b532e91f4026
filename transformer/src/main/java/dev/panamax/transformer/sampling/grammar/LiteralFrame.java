package dev.panamax.transformer.sampling.grammar;

/**
 * Inside one of a fixed set of literals (their compact JSON texts). A literal that no other extends
 * hands over at its last byte; one that another extends (enum 1 and 12) ends where a byte cannot
 * continue it, as a number does.
 *
 * @param values the literals
 * @param node   the prefix read so far
 * @param parent where the value goes
 */
record LiteralFrame(ByteTrie values, int node, Frame parent) implements Frame {

    /** {@return the state after {@code b} at {@code node} of {@code values}, or null} */
    static Frame after(ByteTrie values, int node, Frame parent, int b) {
        int child = values.child(node, b);
        if (child < 0) {
            return node != ByteTrie.ROOT && values.entry(node) >= 0 ? parent.resume().next(b) : null;
        }
        return values.leaf(child) ? parent.resume() : new LiteralFrame(values, child, parent);
    }

    @Override
    public Frame next(int b) {
        return after(values, node, parent, b);
    }
}
