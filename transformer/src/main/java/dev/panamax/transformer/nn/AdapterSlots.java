package dev.panamax.transformer.nn;

import java.util.Arrays;

/**
 * Which LoRA adapter set each sequence slot of one transformer uses, and which one the pass being
 * run applies. Sets are numbered by the session that fits them ({@link AdapterWeights}); 0 is
 * no adapter. The projections and embedding of one session share this object and read
 * {@link #current()} when they run, so one built set of layers serves every adapter set the
 * session's slots use; a step whose slots use different sets runs one pass per set.
 */
public final class AdapterSlots {
    /** The set of no adapter. */
    public static final int NONE = 0;

    private final int[] setOf;
    private int current = NONE;

    /** @param slots the transformer's sequence slots, each starting with {@code initial} */
    public AdapterSlots(int slots, int initial) {
        setOf = new int[slots];
        Arrays.fill(setOf, initial);
    }

    /** The set {@code slot} uses. */
    public int setOf(int slot) {
        return setOf[slot];
    }

    /** Lets {@code slot} use set {@code set} from its next step on. */
    public void use(int slot, int set) {
        setOf[slot] = set;
    }

    /** The set the pass being run applies. */
    public int current() {
        return current;
    }

    /** Makes the next pass apply set {@code set}. */
    public void select(int set) {
        current = set;
    }
}
