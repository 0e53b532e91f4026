package dev.panamax.transformer.sampling.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * One state of the JSON pushdown automaton: the innermost value being read, with its enclosing values
 * as a chain of parents. Frames are immutable, so a state can be shared and branched freely (the trie
 * walk keeps one per depth); a byte that leaves the state unchanged returns the same frame, which keeps
 * the common case (a character inside a string) free of allocation.
 */
interface Frame {
    /** Whitespace bytes allowed in one gap between tokens: bounded, so a model cannot pad forever. */
    int MAX_WHITESPACE = 16;

    /**
     * {@return the gap after whitespace byte {@code b}, or -1 if the gap may not grow so} A gap holds at most
     * {@link #MAX_WHITESPACE} bytes and one line break (pretty-printed JSON needs no more: a newline, then indentation),
     * counted in {@code gap} as bytes plus 256 once the line break is in.
     *
     * @param gap the gap so far (0 for none)
     * @param b   a whitespace byte
     */
    static int gap(int gap, int b) {
        if ((gap & 0xFF) >= MAX_WHITESPACE || (b == '\n' && gap >= 256)) {
            return -1;
        }
        return gap + 1 + (b == '\n' ? 256 : 0);
    }

    /** {@return the state after byte {@code b} (0-255), or null if no document of the language continues so} */
    Frame next(int b);

    /** {@return the state that follows when the child value this frame waits for is complete} */
    default Frame resume() {
        throw new IllegalStateException(getClass().getSimpleName() + " has no child value");
    }

    /** {@return whether the document is complete: nothing may follow} */
    default boolean complete() {
        return false;
    }

    /** {@return whether {@code b} is JSON whitespace} */
    static boolean whitespace(int b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    /** The document is complete. */
    enum End implements Frame {
        /** The one end state. */
        INSTANCE;

        @Override
        public Frame next(int b) {
            return null;
        }

        @Override
        public boolean complete() {
            return true;
        }
    }

    /** Holds the top-level value: when it is complete, so is the document. */
    enum Top implements Frame {
        /** The one top frame. */
        INSTANCE;

        @Override
        public Frame next(int b) {
            return null;
        }

        @Override
        public Frame resume() {
            return End.INSTANCE;
        }
    }

    /**
     * Before a value of {@code node}: whitespace (at most {@link #MAX_WHITESPACE} bytes), then its first byte.
     *
     * @param node   what the value must be
     * @param parent where the value goes
     * @param spaces the whitespace read so far, as {@link #gap} counts it
     */
    record ValueStart(Node node, Frame parent, int spaces) implements Frame {
        @Override
        public Frame next(int b) {
            if (whitespace(b)) {
                int g = gap(spaces, b);
                return g < 0 ? null : new ValueStart(node, parent, g);
            }
            return node.first(parent, b);
        }
    }

    /**
     * Several states at once, for a value that more than one {@code anyOf} alternative may still be. JSON's
     * syntax is deterministic, so the threads read the same structure and differ only in what the schema
     * allows; one that the schema rejects drops out.
     *
     * @param threads two or more distinct states
     */
    record Fork(List<Frame> threads) implements Frame {
        @Override
        public Frame next(int b) {
            List<Frame> out = null;
            Frame only = null;
            for (Frame t : threads) {
                Frame n = t.next(b);
                if (n == null) {
                    continue;
                }
                if (only == null) {
                    only = n;
                } else {
                    if (out == null) {
                        out = new ArrayList<>(threads.size());
                        out.add(only);
                    }
                    if (!out.contains(n)) {
                        out.add(n);
                    }
                }
            }
            return out == null || out.size() == 1 ? only : new Fork(List.copyOf(out));
        }

        @Override
        public boolean complete() {
            for (Frame t : threads) {
                if (t.complete()) {
                    return true;
                }
            }
            return false;
        }

        /**
         * {@return one state for {@code states}: null if none, the state itself if one, else a fork}
         *
         * @param states the states, without nulls
         */
        static Frame of(List<Frame> states) {
            List<Frame> distinct = new ArrayList<>(states.size());
            for (Frame s : states) {
                if (!distinct.contains(s)) {
                    distinct.add(s);
                }
            }
            return distinct.isEmpty() ? null : distinct.size() == 1 ? distinct.get(0) : new Fork(List.copyOf(distinct));
        }
    }
}
