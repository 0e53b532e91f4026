package dev.panamax.transformer.sampling.grammar;

import java.util.Arrays;

/**
 * Where one generation stands in its grammar, and which tokens may come next. {@link #allowed(long[])}
 * walks the vocabulary's {@link TokenTrie} against the automaton's state, skipping every subtree whose
 * prefix the grammar refuses, so a step costs about the number of trie nodes the grammar still allows
 * (most of them inside a string, few elsewhere). Every state reached can still be completed, so some
 * token is always allowed unless the vocabulary lacks the bytes the grammar needs. Not thread-safe.
 */
public final class GrammarMatcher {
    private final TokenTrie trie;
    private final Frame[] states;
    private Frame state;

    /**
     * A matcher at the start of {@code grammar}'s documents.
     *
     * @param grammar the language of the output
     * @param trie    the vocabulary's token bytes
     */
    public GrammarMatcher(Grammar grammar, TokenTrie trie) {
        this.trie = trie;
        this.states = new Frame[trie.maxDepth + 1];
        this.state = grammar.start();
    }

    /** {@return the length of the masks {@link #allowed(long[])} fills: one bit per token id} */
    public int maskLength() {
        return (trie.vocabSize() + 63) >>> 6;
    }

    /**
     * Sets bit {@code id} of {@code mask} (bit {@code id & 63} of word {@code id >>> 6}) for exactly the
     * tokens whose bytes the grammar allows next, and clears the others. Where the text may end here but could
     * also go on ({@link #mayEnd()}), the vocabulary's end tokens are allowed too; elsewhere never, even one that
     * has bytes.
     *
     * @param mask at least {@link #maskLength()} words
     * @return how many tokens are allowed
     */
    public int allowed(long[] mask) {
        Arrays.fill(mask, 0, maskLength(), 0L);
        if (complete()) {
            return 0;
        }
        byte[] label = trie.label;
        int[] depth = trie.depth;
        int[] skip = trie.skip;
        int[] start = trie.tokenStart;
        int[] tokens = trie.tokens;
        Frame[] at = states;
        at[0] = state;
        int n = label.length;
        int count = 0;
        for (int i = 1; i < n; ) {
            Frame s = at[depth[i] - 1].next(label[i] & 0xFF);
            if (s == null) {
                i = skip[i];
                continue;
            }
            at[depth[i]] = s;
            for (int t = start[i], end = start[i + 1]; t < end; t++) {
                int id = tokens[t];
                mask[id >>> 6] |= 1L << id;
                count++;
            }
            i++;
        }
        Arrays.fill(at, null); // no frame outlives the walk
        boolean mayEnd = state.complete();
        for (int id : trie.ends) { // an end token is an end, never text
            long bit = 1L << id;
            boolean set = (mask[id >>> 6] & bit) != 0;
            if (set != mayEnd) {
                mask[id >>> 6] ^= bit;
                count += mayEnd ? 1 : -1;
            }
        }
        return count;
    }

    /**
     * Moves past token {@code id} if the grammar allows it: an end token only where the text may end
     * ({@link #mayEnd()}), after which it is complete.
     *
     * @param id a token id
     * @return false (and no change) if the grammar does not allow it, or it has no bytes here
     */
    public boolean accept(int id) {
        if (id >= 0 && id < trie.vocabSize() && trie.isEnd(id)) {
            if (!state.complete()) {
                return false;
            }
            state = Frame.End.INSTANCE;
            return true;
        }
        byte[] b = id >= 0 && id < trie.vocabSize() ? trie.bytes(id) : null;
        return b != null && acceptBytes(b);
    }

    /** Moves past {@code b} if the grammar allows those bytes next; else leaves the state as it was. */
    boolean acceptBytes(byte[] b) {
        Frame s = state;
        for (byte value : b) {
            s = s.next(value & 0xFF);
            if (s == null) {
                return false;
            }
        }
        state = s;
        return true;
    }

    /**
     * {@return whether the output is a complete document that nothing more may follow: the generation ends here}
     * (A text of several parts that may end after this one but could also go on is not: see {@link #mayEnd()}.)
     */
    public boolean complete() {
        if (!state.complete()) {
            return false;
        }
        for (int b = 0; b < 256; b++) { // only at the end of a document or of a part: rare, and then at most 256 steps
            if (state.next(b) != null) {
                return false;
            }
        }
        return true;
    }

    /** {@return whether the output may end here: it is complete, though more parts could still follow} */
    public boolean mayEnd() {
        return state.complete();
    }
}
