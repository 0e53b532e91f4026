package dev.panamax.transformer.sampling.grammar;

/**
 * Inside an object. With named properties, a key must lead to a property not yet given (so no key
 * repeats), a comma is allowed only while one is left, and the closing brace only once every required
 * property is there: every state can still be completed.
 *
 * @param node    the object's properties
 * @param parent  where the object goes
 * @param phase   where in the object it is
 * @param seen    the properties given so far, as bits
 * @param current the property whose value comes next (-1 for a free key)
 * @param spaces  whitespace read in the current gap ({@link Frame#gap})
 */
record ObjectFrame(Node.Obj node, Frame parent, int phase, long seen, int current, int spaces) implements Frame {
    /** After the opening brace. */
    static final int OPEN = 0;
    /** Waiting for a free key's string (as its parent). */
    private static final int FREE_KEY = 1;
    /** After a key, before the colon. */
    private static final int COLON = 2;
    /** Waiting for a property's value (as its parent). */
    private static final int VALUE = 3;
    /** After a value: a comma or the closing brace. */
    private static final int AFTER = 4;
    /** After a comma: the next key. */
    private static final int NEXT = 5;

    @Override
    public Frame next(int b) {
        if (Frame.whitespace(b) && phase != FREE_KEY && phase != VALUE) {
            int g = Frame.gap(spaces, b);
            return g < 0 ? null : new ObjectFrame(node, parent, phase, seen, current, g);
        }
        return switch (phase) {
            case OPEN -> b == '}' ? close() : b == '"' ? key() : null;
            case NEXT -> b == '"' ? key() : null;
            case COLON -> b == ':' ? new Frame.ValueStart(current >= 0 ? node.values()[current] : node.free(), at(VALUE), 0) : null;
            case AFTER -> b == '}' ? close() : b == ',' && (node.keys() == null || (node.all() & ~seen) != 0) ? at(NEXT) : null;
            default -> null;
        };
    }

    @Override
    public Frame resume() {
        return switch (phase) {
            case FREE_KEY -> new ObjectFrame(node, parent, COLON, seen, -1, 0);
            case VALUE -> at(AFTER);
            default -> throw new IllegalStateException("object phase " + phase + " has no child value");
        };
    }

    private Frame close() {
        return (node.required() & ~seen) == 0 ? parent.resume() : null;
    }

    private Frame key() {
        if (node.keys() == null) {
            return new StringFrame(at(FREE_KEY), StringFrame.PLAIN);
        }
        return (node.all() & ~seen) != 0 ? new Key(this, ByteTrie.ROOT) : null;
    }

    private ObjectFrame at(int p) {
        return new ObjectFrame(node, parent, p, seen, current, 0);
    }


    /**
     * Inside a named property's key, after the opening quote: only prefixes of properties not yet given.
     *
     * @param object the object, in the phase before the key
     * @param node   the key's prefix read so far, in the keys' trie
     */
    record Key(ObjectFrame object, int node) implements Frame {
        @Override
        public Frame next(int b) {
            ByteTrie keys = object.node().keys();
            int child = keys.child(node, b);
            if (child < 0 || (keys.mask(child) & ~object.seen()) == 0) {
                return null;
            }
            if (keys.leaf(child)) { // the closing quote: every key ends with one, so no key is another's prefix
                int p = keys.entry(child);
                return new ObjectFrame(object.node(), object.parent(), COLON, object.seen() | 1L << p, p, 0);
            }
            return new Key(object, child);
        }
    }
}
