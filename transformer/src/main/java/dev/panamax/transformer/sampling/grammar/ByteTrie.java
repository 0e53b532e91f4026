package dev.panamax.transformer.sampling.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small trie of byte strings (an enum's literals, an object's encoded keys): node {@link #ROOT} is the
 * empty prefix. Each node knows which entries lie below it, as a bit mask of their indices (the first 64),
 * so an object can tell whether a key prefix still leads to a property it has not seen.
 */
final class ByteTrie {
    /** The empty prefix. */
    static final int ROOT = 0;

    private final int[][] childBytes;
    private final int[][] children;
    private final int[] entry;
    private final long[] masks;

    private ByteTrie(int[][] childBytes, int[][] children, int[] entry, long[] masks) {
        this.childBytes = childBytes;
        this.children = children;
        this.entry = entry;
        this.masks = masks;
    }

    /**
     * {@return the trie of {@code entries}; entry i is bit i of the masks}
     *
     * @param entries distinct byte strings, none empty
     */
    static ByteTrie of(List<byte[]> entries) {
        List<int[]> bytes = new ArrayList<>();
        List<int[]> kids = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        List<Long> masks = new ArrayList<>();
        bytes.add(new int[0]);
        kids.add(new int[0]);
        ends.add(-1);
        masks.add(0L);
        for (int e = 0; e < entries.size(); e++) {
            long bit = e < 64 ? 1L << e : 0;
            int node = ROOT;
            masks.set(node, masks.get(node) | bit);
            for (byte value : entries.get(e)) {
                int b = value & 0xFF;
                int[] bs = bytes.get(node);
                int at = indexOf(bs, b);
                if (at < 0) {
                    int fresh = bytes.size();
                    bytes.add(new int[0]);
                    kids.add(new int[0]);
                    ends.add(-1);
                    masks.add(0L);
                    bytes.set(node, append(bs, b));
                    kids.set(node, append(kids.get(node), fresh));
                    node = fresh;
                } else {
                    node = kids.get(node)[at];
                }
                masks.set(node, masks.get(node) | bit);
            }
            if (ends.get(node) >= 0) {
                throw new IllegalArgumentException("duplicate entry " + Arrays.toString(entries.get(e)));
            }
            ends.set(node, e);
        }
        long[] m = new long[masks.size()];
        int[] en = new int[ends.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = masks.get(i);
            en[i] = ends.get(i);
        }
        return new ByteTrie(bytes.toArray(int[][]::new), kids.toArray(int[][]::new), en, m);
    }

    /** {@return the child of {@code node} along byte {@code b}, or -1} */
    int child(int node, int b) {
        int[] bs = childBytes[node];
        for (int i = 0; i < bs.length; i++) {
            if (bs[i] == b) {
                return children[node][i];
            }
        }
        return -1;
    }

    /** {@return the entry that ends at {@code node}, or -1} */
    int entry(int node) {
        return entry[node];
    }

    /** {@return whether no entry extends {@code node}'s prefix} */
    boolean leaf(int node) {
        return childBytes[node].length == 0;
    }

    /** {@return the entries at or below {@code node} (the first 64), as bits} */
    long mask(int node) {
        return masks[node];
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static int[] append(int[] values, int v) {
        int[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = v;
        return out;
    }
}
