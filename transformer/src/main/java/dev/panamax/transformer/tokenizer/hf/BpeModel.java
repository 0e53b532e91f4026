package dev.panamax.transformer.tokenizer.hf;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntConsumer;

/**
 * {@code BPE} as Hugging Face tokenizers runs it. A word starts as one symbol per code point (with
 * {@code continuing_subword_prefix} on all but the first and {@code end_of_word_suffix} on the last);
 * a code point that is no token becomes its UTF-8 byte tokens {@code <0xXX>} ({@code byte_fallback})
 * or the unknown token (consecutive ones fused into one with {@code fuse_unk}). Then the adjacent pair
 * with the best merge rank is merged, leftmost first among equals, until no pair has a merge. With
 * {@code ignore_merges} a word that is itself a token is that token.
 */
public final class BpeModel implements TokenModel {
    private final Map<String, Integer> vocab;
    private final MergeTable merges;
    private final int unknown;
    private final int[] byteTokens;
    private final boolean fuseUnknown;
    private final boolean ignoreMerges;
    private final String prefix;
    private final String suffix;

    /**
     * @param vocab        token text to id
     * @param merges       the merges by token pair
     * @param unknown      the unknown token's id, or -1 (then unknown characters are dropped)
     * @param byteFallback whether unknown characters become {@code <0xXX>} tokens
     * @param prefix       {@code continuing_subword_prefix}, or null
     * @param suffix       {@code end_of_word_suffix}, or null
     */
    BpeModel(Map<String, Integer> vocab, MergeTable merges, int unknown, boolean byteFallback,
            boolean fuseUnknown, boolean ignoreMerges, String prefix, String suffix) {
        this.vocab = vocab;
        this.merges = merges;
        this.unknown = unknown;
        this.fuseUnknown = fuseUnknown;
        this.ignoreMerges = ignoreMerges;
        this.prefix = prefix == null || prefix.isEmpty() ? null : prefix;
        this.suffix = suffix == null || suffix.isEmpty() ? null : suffix;
        this.byteTokens = byteFallback ? new int[256] : null;
        if (byteFallback) {
            for (int b = 0; b < 256; b++) {
                byteTokens[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
            }
        }
    }

    @Override
    public void encode(String word, IntConsumer out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.accept(whole);
                return;
            }
        }
        int n = word.length();
        // per code point at most 4 bytes plus the prefix, and the suffix once
        int[] ids = new int[n * (4 + byteLength(prefix)) + byteLength(suffix)];
        int count = 0;
        boolean lastUnknown = false;
        for (int i = 0; i < n; ) {
            int cp = word.codePointAt(i);
            int end = i + Character.charCount(cp);
            String s = word.substring(i, end);
            if (i > 0 && prefix != null) {
                s = prefix + s;
            }
            if (end == n && suffix != null) {
                s = s + suffix;
            }
            i = end;
            Integer id = vocab.get(s);
            if (id != null) {
                ids[count++] = id;
                lastUnknown = false;
                continue;
            }
            if (byteTokens != null && appendBytes(s, ids, count) > count) {
                count = appendBytes(s, ids, count);
                lastUnknown = false;
                continue;
            }
            if (unknown >= 0 && !(fuseUnknown && lastUnknown)) {
                ids[count++] = unknown;
            }
            lastUnknown = unknown >= 0;
        }
        mergeAll(ids, count, out);
    }

    /** Writes the byte tokens of {@code s} at {@code at}; returns the new count, or {@code at} if one is missing. */
    private int appendBytes(String s, int[] ids, int at) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteTokens[b & 0xFF] < 0) {
                return at;
            }
        }
        for (int k = 0; k < bytes.length; k++) {
            ids[at + k] = byteTokens[bytes[k] & 0xFF];
        }
        return at + bytes.length;
    }

    private static int byteLength(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private void mergeAll(int[] ids, int n, IntConsumer out) {
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // (rank << 32 | position): the best rank first, then the leftmost
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, ids, i, i + 1);
        }
        boolean[] gone = new boolean[n];
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int rank = (int) (top >>> 32);
            int left = (int) top;
            int right = gone[left] ? -1 : next[left];
            if (right < 0) {
                continue;
            }
            if (merges.rank(ids[left], ids[right]) != rank) {
                continue; // stale: a side changed since this pair was queued
            }
            ids[left] = merges.merged(ids[left], ids[right]);
            gone[right] = true;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, ids, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, ids, left, next[left]);
            }
        }
        for (int i = n == 0 ? -1 : 0; i >= 0; i = next[i]) {
            out.accept(ids[i]);
        }
    }

    private void offer(PriorityQueue<Long> queue, int[] ids, int left, int right) {
        int rank = merges.rank(ids[left], ids[right]);
        if (rank >= 0) {
            queue.add(((long) rank << 32) | left);
        }
    }
}
