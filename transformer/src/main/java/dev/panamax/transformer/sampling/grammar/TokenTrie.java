package dev.panamax.transformer.sampling.grammar;

import dev.panamax.transformer.tokenizer.TokenType;
import dev.panamax.transformer.tokenizer.Tokenizer;
import dev.panamax.transformer.tokenizer.Vocabulary;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The bytes of every token a grammar may choose, decoded once per vocabulary, as a trie laid out in
 * preorder: node {@code i}'s subtree is {@code i .. skip(i))}, so a walk that finds a prefix dead jumps
 * over everything below it. Control, unknown and unused tokens (end markers among them) have no bytes
 * here: a grammar never chooses them as text. The end-of-generation tokens are kept apart ({@link #isEnd}): a grammar
 * allows them where its text may end but could also go on ({@link Grammar#oneOrMore}). Immutable and thread-safe.
 */
public final class TokenTrie {
    /** Per tokenizer, its trie once built; the holder, not the map, is locked while one is built. */
    private static final Map<Tokenizer, Once> CACHE = new WeakHashMap<>();

    private final int vocabSize;
    private final byte[][] bytes;
    /** The end-of-generation tokens, ascending. */
    final int[] ends;
    /** Per node: its byte, its depth (the root is node 0 at depth 0), the node after its subtree. */
    final byte[] label;
    final int[] depth;
    final int[] skip;
    /** Node i's tokens are {@code tokens[tokenStart[i] .. tokenStart[i + 1])}. */
    final int[] tokenStart;
    final int[] tokens;
    final int maxDepth;

    private TokenTrie(byte[][] bytes, int[] ends) {
        this.vocabSize = bytes.length;
        this.bytes = bytes;
        this.ends = ends;
        Integer[] order = new Integer[bytes.length];
        int count = 0;
        long total = 0;
        for (int id = 0; id < bytes.length; id++) {
            if (bytes[id] != null && bytes[id].length > 0) {
                order[count++] = id;
                total += bytes[id].length;
            }
        }
        Integer[] ids = Arrays.copyOf(order, count);
        Arrays.sort(ids, (a, b) -> {
            int c = Arrays.compareUnsigned(bytes[a], bytes[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, total + 1);
        byte[] lab = new byte[capacity];
        int[] dep = new int[capacity];
        int[] start = new int[capacity + 1];
        int[] toks = new int[count];
        int nodes = 1;
        int deepest = 0;
        int placed = 0;
        byte[] previous = new byte[0];
        for (int id : ids) {
            byte[] b = bytes[id];
            int common = Arrays.mismatch(previous, b);
            if (common < 0) {
                common = b.length; // the same bytes as the previous token
            }
            common = Math.min(common, Math.min(previous.length, b.length));
            for (int d = common; d < b.length; d++) {
                lab[nodes] = b[d];
                dep[nodes] = d + 1;
                start[nodes] = placed;
                nodes++;
            }
            toks[placed++] = id;
            deepest = Math.max(deepest, b.length);
            previous = b;
        }
        start[nodes] = placed;
        this.label = Arrays.copyOf(lab, nodes);
        this.depth = Arrays.copyOf(dep, nodes);
        this.tokenStart = Arrays.copyOf(start, nodes + 1);
        this.tokens = toks;
        this.maxDepth = deepest;
        this.skip = new int[nodes];
        int[] open = new int[deepest + 2];
        int top = 0;
        for (int i = 0; i < nodes; i++) { // a node's subtree ends at the next node no deeper than it
            while (top > 0 && depth[open[top - 1]] >= depth[i]) {
                skip[open[--top]] = i;
            }
            open[top++] = i;
        }
        while (top > 0) {
            skip[open[--top]] = nodes;
        }
    }

    /**
     * The trie of {@code tokenizer}'s vocabulary: normal, user-defined and byte tokens with their bytes
     * ({@link Tokenizer#tokenBytes}). Built once per tokenizer (a caller that comes while it is being built waits
     * for it) and kept while the tokenizer is.
     *
     * @param tokenizer the model's tokenizer
     * @return its trie
     */
    public static TokenTrie of(Tokenizer tokenizer) {
        Once once;
        synchronized (CACHE) {
            once = CACHE.computeIfAbsent(tokenizer, t -> new Once());
        }
        return once.get(tokenizer);
    }

    /**
     * A tokenizer's trie, built by the first caller; callers meanwhile wait for that one build rather than each
     * making their own (seconds of CPU for a large vocabulary). It holds no reference to the tokenizer, which keys
     * the cache weakly.
     */
    private static final class Once {
        private TokenTrie trie;

        synchronized TokenTrie get(Tokenizer tokenizer) {
            if (trie == null) {
                trie = build(tokenizer);
            }
            return trie;
        }
    }

    private static TokenTrie build(Tokenizer tokenizer) {
        Vocabulary v = tokenizer.vocabulary();
        byte[][] bytes = new byte[v.size()][];
        int[] ends = new int[0];
        for (int id = 0; id < bytes.length; id++) {
            TokenType t = v.type(id);
            if (t == TokenType.NORMAL || t == TokenType.USER_DEFINED || t == TokenType.BYTE) {
                bytes[id] = tokenizer.tokenBytes(id);
            }
            if (tokenizer.isEog(id)) {
                ends = Arrays.copyOf(ends, ends.length + 1);
                ends[ends.length - 1] = id;
            }
        }
        return new TokenTrie(bytes, ends);
    }

    /**
     * The trie of a vocabulary given as each token's bytes.
     *
     * @param tokenBytes per token id, its bytes; null or empty for a token never chosen as text
     * @param endTokens  the end-of-generation tokens' ids (none, for a grammar whose text always ends by itself)
     * @return the trie
     * @throws IllegalArgumentException if an end token's id is outside the vocabulary
     */
    public static TokenTrie of(byte[][] tokenBytes, int... endTokens) {
        byte[][] copy = new byte[tokenBytes.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = tokenBytes[i] == null ? null : tokenBytes[i].clone();
        }
        int[] ends = Arrays.stream(endTokens).sorted().distinct().toArray();
        for (int id : ends) {
            if (id < 0 || id >= copy.length) {
                throw new IllegalArgumentException("end token " + id + " is outside the vocabulary of " + copy.length + " tokens");
            }
        }
        return new TokenTrie(copy, ends);
    }

    /** {@return whether {@code id} is an end-of-generation token} */
    boolean isEnd(int id) {
        return Arrays.binarySearch(ends, id) >= 0;
    }

    /** {@return the number of token ids, chosen or not} */
    public int vocabSize() {
        return vocabSize;
    }

    /** {@return the trie's nodes, the root included} */
    public int nodes() {
        return label.length;
    }

    /** {@return token {@code id}'s bytes (shared: do not change them), or null if a grammar never chooses it} */
    byte[] bytes(int id) {
        byte[] b = bytes[id];
        return b == null || b.length == 0 ? null : b;
    }
}
