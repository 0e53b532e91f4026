package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * The LoRA changes attached to one layer ({@link Linear}, {@link Embedding}), per adapter set of its
 * session: the set its {@link AdapterSlots} names as current applies. One place for the bookkeeping, so
 * that each layer only says how its change is computed.
 */
final class LowRankChanges {
    /** One attached adapter: {@code a} and the scaled {@code b}, and the scratch for the low-rank product and the change. */
    record Change(Tensor a, Tensor b, Scratch.Buffer low, Scratch.Buffer delta) {
    }

    private static final Change[] NONE = new Change[0];

    /** The session's choice of adapter set per pass; null while no adapter is attached. */
    private AdapterSlots slots;
    /** Per adapter set (index {@link AdapterSlots#current()}): its changes, or null for none. */
    private Change[][] bySet = new Change[0][];

    /** Adds {@code change} to set {@code set} of the session whose choice {@code slots} holds. */
    void add(AdapterSlots slots, int set, Change change) {
        if (set == AdapterSlots.NONE || (this.slots != null && this.slots != slots)) {
            throw new IllegalArgumentException("set " + set + " of another session, or the set of no adapter");
        }
        this.slots = slots;
        if (set >= bySet.length) {
            bySet = Arrays.copyOf(bySet, set + 1);
        }
        Change[] old = bySet[set] == null ? NONE : bySet[set];
        Change[] more = Arrays.copyOf(old, old.length + 1);
        more[old.length] = change;
        bySet[set] = more;
    }

    /** The changes of the current set, empty if none (no allocation: a decode step calls this per layer). */
    Change[] current() {
        if (slots == null) {
            return NONE;
        }
        int set = slots.current();
        Change[] changes = set < bySet.length ? bySet[set] : null;
        return changes == null ? NONE : changes;
    }

    /** Adapters attached for set {@code set}. */
    int count(int set) {
        return set < bySet.length && bySet[set] != null ? bySet[set].length : 0;
    }
}
