package dev.panamax.transformer.sampling.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * What a JSON value may be, compiled from a schema: the automaton's grammar. {@link #first} reads a
 * value's first byte and gives the frame that reads the rest.
 */
sealed interface Node {

    /** {@return the state after {@code b} as the first byte of a value going to {@code parent}, or null} */
    Frame first(Frame parent, int b);

    /** Any string. */
    enum Str implements Node {
        /** The one string node. */
        INSTANCE;

        @Override
        public Frame first(Frame parent, int b) {
            return b == '"' ? new StringFrame(parent, StringFrame.PLAIN) : null;
        }
    }

    /**
     * A number: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, or without fraction and exponent for an integer.
     *
     * @param integer whether only integers are allowed
     */
    record Num(boolean integer) implements Node {
        @Override
        public Frame first(Frame parent, int b) {
            return NumberFrame.start(parent, integer, b);
        }
    }

    /**
     * One of a fixed set of values, each as its compact JSON text ({@code enum}, {@code const}, booleans, null).
     *
     * @param values the literals' trie
     */
    record Literal(ByteTrie values) implements Node {
        @Override
        public Frame first(Frame parent, int b) {
            return LiteralFrame.after(values, ByteTrie.ROOT, parent, b);
        }
    }

    /**
     * An array.
     *
     * @param items what each item must be
     */
    record Arr(Node items) implements Node {
        @Override
        public Frame first(Frame parent, int b) {
            return b == '[' ? new ArrayFrame(this, parent, ArrayFrame.OPEN, 0) : null;
        }
    }

    /**
     * An object: with {@code keys}, only those properties (each at most once, {@code required} all present);
     * without, any keys, each value a {@code free} one.
     *
     * @param keys     the properties' names as encoded JSON strings after the opening quote, with the closing
     *                 quote; bit i of a node's mask is property i; null for free keys
     * @param values   each property's value, in the order of {@code keys}
     * @param required bit i set when property i is required
     * @param free     the value of any key, where {@code keys} is null
     */
    record Obj(ByteTrie keys, Node[] values, long required, Node free) implements Node {
        @Override
        public Frame first(Frame parent, int b) {
            return b == '{' ? new ObjectFrame(this, parent, ObjectFrame.OPEN, 0, -1, 0) : null;
        }

        /** {@return the properties that exist, as a bit mask} */
        long all() {
            return keys == null ? 0 : keys.mask(ByteTrie.ROOT);
        }
    }

    /**
     * A value matching any of {@code alternatives} ({@code anyOf}, or a list of types).
     *
     * @param alternatives the alternatives, at least one
     */
    record AnyOf(List<Node> alternatives) implements Node {
        @Override
        public Frame first(Frame parent, int b) {
            List<Frame> states = new ArrayList<>(alternatives.size());
            for (Node n : alternatives) {
                Frame f = n.first(parent, b);
                if (f != null) {
                    states.add(f);
                }
            }
            return Frame.Fork.of(states);
        }
    }

    /** A reference ({@code $ref}), resolved once the schema it points to is compiled: so a schema may refer to itself. */
    final class Ref implements Node {
        private Node target;

        void resolve(Node to) {
            this.target = to;
        }

        Node target() {
            return target;
        }

        @Override
        public Frame first(Frame parent, int b) {
            return target.first(parent, b);
        }
    }

    /** {@return any JSON value (objects with any keys, arrays of anything, strings, numbers, true, false, null)} */
    static Node any() {
        Ref self = new Ref();
        Node value = new AnyOf(List.of(new Obj(null, new Node[0], 0, self), new Arr(self), Str.INSTANCE, new Num(false),
                new Literal(ByteTrie.of(List.of(bytes("true"), bytes("false"), bytes("null"))))));
        self.resolve(value);
        return value;
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
