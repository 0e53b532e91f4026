package dev.panamax.transformer.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * GPT-2 style byte-level BPE, as llama.cpp's {@code llm_tokenizer_bpe} (GPT-2, Llama 3, Qwen2,
 * DeepSeek, Falcon, StarCoder...; GGUF {@code tokenizer.ggml.model = "gpt2"}).
 *
 * <p>The {@link PreTokenizer} splits the text into words; each word's UTF-8 bytes are written as
 * GPT-2's byte characters ({@link ByteLevel}) and start as one symbol per byte; then, repeatedly, the
 * adjacent pair with the best (lowest) merge rank is merged, leftmost first on ties. A final symbol
 * that is no token falls back to its single ASCII characters' tokens, as in llama.cpp.
 */
public final class BpeTokenizer extends AbstractTokenizer {
    private static final char PAIR_SEPARATOR = '\u0000';

    private final PreTokenizer preTokenizer;
    private final Map<String, Integer> ranks;

    /**
     * A byte-level BPE tokenizer.
     *
     * @param vocab        a {@code gpt2} vocabulary
     * @param merges       the merges, best first, each {@code "left right"} split at its first space after
     *                     the first character (as llama.cpp reads them)
     * @param preTokenizer the word splitter
     */
    public BpeTokenizer(Vocabulary vocab, List<String> merges, PreTokenizer preTokenizer) {
        super(vocab);
        if (!vocab.model().equals("gpt2")) {
            throw new IllegalArgumentException("BpeTokenizer needs a gpt2 vocabulary, not " + vocab.model());
        }
        this.preTokenizer = preTokenizer;
        this.ranks = HashMap.newHashMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String merge = merges.get(rank);
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                continue; // llama.cpp keeps such a merge as an empty pair, which never applies
            }
            char[] key = merge.toCharArray();
            key[space] = PAIR_SEPARATOR; // "left right" -> "left\0right", the form offer() looks up
            ranks.putIfAbsent(new String(key), rank);
        }
    }

    /** {@return the pre-tokenizer that splits text into words} */
    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, IntList out) {
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                continue;
            }
            for (String word : preTokenizer.split(text.substring(f.start(), f.end()))) {
                encodeWord(ByteLevel.encode(word), out);
            }
        }
    }

    /** One pair of adjacent symbols that a merge joins. */
    private record Bigram(int left, int right, int rank, int length) {
    }

    private void encodeWord(String word, IntList out) {
        if (preTokenizer.ignoresMerges()) {
            int id = vocab.id(word);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        // byte-level characters are all in the BMP: one char per symbol
        int n = word.length();
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank
                ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offer(queue, word, length, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (!mergeSymbols(b.left, b.right, b.length, length, prev, next)) {
                continue;
            }
            offer(queue, word, length, prev[b.left], b.left);
            offer(queue, word, length, b.left, next[b.left]);
        }
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            String symbol = word.substring(i, i + length[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            for (int k = 0; k < symbol.length(); k++) {
                char c = symbol.charAt(k);
                int single = c < 0x80 ? vocab.id(String.valueOf(c)) : -1;
                if (single >= 0) {
                    out.add(single);
                }
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String word, int[] length, int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        String key = word.substring(left, left + length[left]) + PAIR_SEPARATOR
                + word.substring(right, right + length[right]);
        Integer rank = ranks.get(key);
        if (rank != null) {
            queue.add(new Bigram(left, right, rank, length[left] + length[right]));
        }
    }

    @Override
    byte[] normalBytes(int id) {
        return ByteLevel.decode(vocab.text(id));
    }

    @Override
    public boolean addsSpacePrefix() {
        return vocab.addsSpacePrefix();
    }
}
