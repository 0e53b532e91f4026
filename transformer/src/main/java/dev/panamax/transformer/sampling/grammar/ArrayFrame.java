package dev.panamax.transformer.sampling.grammar;

/**
 * Inside an array.
 *
 * @param node   the array's items
 * @param parent where the array goes
 * @param phase  {@link #OPEN} after the opening bracket, else waiting for an item or after one
 * @param spaces whitespace read in the current gap ({@link Frame#gap})
 */
record ArrayFrame(Node.Arr node, Frame parent, int phase, int spaces) implements Frame {
    /** After the opening bracket: an item or the closing bracket. */
    static final int OPEN = 0;
    /** Waiting for an item (as its parent). */
    private static final int ITEM = 1;
    /** After an item: a comma or the closing bracket. */
    private static final int AFTER = 2;

    @Override
    public Frame next(int b) {
        if (Frame.whitespace(b) && phase != ITEM) {
            int g = Frame.gap(spaces, b);
            return g < 0 ? null : new ArrayFrame(node, parent, phase, g);
        }
        return switch (phase) {
            case OPEN -> b == ']' ? parent.resume() : node.items().first(at(ITEM), b);
            case AFTER -> b == ']' ? parent.resume() : b == ',' ? new Frame.ValueStart(node.items(), at(ITEM), 0) : null;
            default -> null;
        };
    }

    @Override
    public Frame resume() {
        if (phase != ITEM) {
            throw new IllegalStateException("array phase " + phase + " has no child value");
        }
        return at(AFTER);
    }

    private ArrayFrame at(int p) {
        return new ArrayFrame(node, parent, p, 0);
    }
}
