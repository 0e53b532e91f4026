package dev.panamax.transformer.tokenizer.hf;

import java.util.Arrays;

/**
 * BPE merges by token pair: an open-addressing hash table from {@code (left, right)} ids to the merge's
 * rank and merged id, without boxing (a Llama 3 vocabulary has 280 000 merges, Gemma 3's over 500 000).
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    /** A table with room for {@code capacity} merges. */
    MergeTable(int capacity) {
        int slots = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        keys = new long[slots];
        values = new long[slots];
        Arrays.fill(keys, EMPTY);
        mask = slots - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Adds the merge of {@code left} and {@code right} unless the pair already has one (the first rank wins). */
    void putIfAbsent(int left, int right, int rank, int merged) {
        long k = key(left, right);
        for (int s = slot(k); ; s = (s + 1) & mask) {
            if (keys[s] == EMPTY) {
                keys[s] = k;
                values[s] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
                size++;
                return;
            }
            if (keys[s] == k) {
                return;
            }
        }
    }

    /** The rank of the merge of {@code left} and {@code right}, or -1 when they do not merge. */
    int rank(int left, int right) {
        long v = find(left, right);
        return v == EMPTY ? -1 : (int) (v >>> 32);
    }

    /** The id the merge of {@code left} and {@code right} makes (only when {@link #rank} is not -1). */
    int merged(int left, int right) {
        return (int) find(left, right);
    }

    private long find(int left, int right) {
        long k = key(left, right);
        for (int s = slot(k); ; s = (s + 1) & mask) {
            if (keys[s] == k) {
                return values[s];
            }
            if (keys[s] == EMPTY) {
                return EMPTY;
            }
        }
    }

    int size() {
        return size;
    }
}
