package dev.panamax.transformer.nn;

import java.util.Arrays;

/**
 * Which sequence and position each row of a forward step belongs to (llama.cpp's batch with its
 * {@code seq_id}s): the rows of the residual stream {@code x [n, dim]} come in runs, each run the
 * consecutive positions {@code position ... position + length - 1} of one sequence slot (its own
 * region of the KV cache). A prompt of one sequence is one run; a decode step of B sequences is B
 * runs of one row each; a new prompt joining a running batch is one long run among short ones.
 *
 * <p>Everything that treats rows alike (norms, projections, feed-forwards) runs on all {@code n}
 * rows at once; attention rotates, caches and attends run by run, each over its slot's cache.
 *
 * <p>Mutable and reused from step to step ({@link #clear()}, {@link #add}) so that decoding
 * allocates nothing; layers only read it.
 */
public final class Rows {
    private int[] slot, position, start, length;
    private int runs, count;

    /** Room for {@code runs} runs (it grows when more are added). */
    public Rows(int runs) {
        int capacity = Math.max(1, runs);
        slot = new int[capacity];
        position = new int[capacity];
        start = new int[capacity];
        length = new int[capacity];
    }

    /** One run: {@code length} rows of slot 0 at positions {@code position ...}, the single-sequence case. */
    public static Rows of(int position, int length) {
        return new Rows(1).add(0, position, length);
    }

    /** Forgets every run, for the next step. */
    public Rows clear() {
        runs = 0;
        count = 0;
        return this;
    }

    /**
     * Appends a run: the next {@code length} rows are slot {@code slot}'s positions {@code position ...}.
     *
     * @throws IllegalArgumentException if {@code slot} or {@code position} is negative or {@code length} is not positive
     */
    public Rows add(int slot, int position, int length) {
        if (slot < 0 || position < 0 || length <= 0) {
            throw new IllegalArgumentException("a run needs slot >= 0, position >= 0 and length > 0: slot " + slot
                    + ", position " + position + ", length " + length);
        }
        if (runs == this.slot.length) {
            int grown = 2 * runs;
            this.slot = Arrays.copyOf(this.slot, grown);
            this.position = Arrays.copyOf(this.position, grown);
            this.start = Arrays.copyOf(this.start, grown);
            this.length = Arrays.copyOf(this.length, grown);
        }
        this.slot[runs] = slot;
        this.position[runs] = position;
        this.start[runs] = count;
        this.length[runs] = length;
        runs++;
        count += length;
        return this;
    }

    /** Rows in all (n). */
    public int count() {
        return count;
    }

    /** Runs. */
    public int runs() {
        return runs;
    }

    /** The sequence slot of run {@code r}. */
    public int slot(int r) {
        return slot[r];
    }

    /** The position of run {@code r}'s first row; its row {@code i} is at {@code position(r) + i}. */
    public int position(int r) {
        return position[r];
    }

    /** The index of run {@code r}'s first row in the step. */
    public int start(int r) {
        return start[r];
    }

    /** The rows of run {@code r}. */
    public int length(int r) {
        return length[r];
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Rows[");
        for (int r = 0; r < runs; r++) {
            s.append(r == 0 ? "" : ", ").append("slot ").append(slot[r]).append(" @").append(position[r]).append(" x").append(length[r]);
        }
        return s.append(']').toString();
    }
}
