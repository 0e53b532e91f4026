package dev.panamax.transformer.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.PriorityQueue;

/**
 * SentencePiece-style BPE over a scored vocabulary with byte fallback, as llama.cpp's
 * {@code llm_tokenizer_spm} (Llama 2, Mistral, TinyLlama, Phi-3; GGUF {@code tokenizer.ggml.model = "llama"}).
 *
 * <p>Spaces become {@code ▁} (U+2581), and text at the start or after a special token gets a leading
 * space when {@link Vocabulary#addsSpacePrefix()}. The text starts as one symbol per code point; then,
 * repeatedly, the adjacent pair whose concatenation is the vocabulary entry with the highest score
 * (leftmost on ties) is merged. A final symbol that is no token is written as its UTF-8 bytes, each as
 * its {@code <0xXX>} byte token (or, without one, the single-character token, else the unknown token).
 */
public final class SpmTokenizer extends AbstractTokenizer {
    private static final char SPACE_MARK = '\u2581';

    /**
     * A SentencePiece tokenizer over {@code vocab}, which must be a {@code llama} vocabulary.
     *
     * @param vocab the vocabulary with SentencePiece scores
     */
    public SpmTokenizer(Vocabulary vocab) {
        super(vocab);
        if (!vocab.model().equals("llama")) {
            throw new IllegalArgumentException("SpmTokenizer needs a llama vocabulary, not " + vocab.model());
        }
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, IntList out) {
        boolean afterSpecial = true; // the start of the text counts as following a special token
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                afterSpecial = true;
                continue;
            }
            String piece = text.substring(f.start(), f.end());
            if (vocab.addsSpacePrefix() && afterSpecial) {
                piece = " " + piece;
            }
            encodeEscaped(piece.replace(' ', SPACE_MARK), out);
            afterSpecial = false;
        }
    }

    /** One pair of adjacent symbols that could merge into a token. */
    private record Bigram(int left, int right, float score, int length) {
    }

    private void encodeEscaped(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            start[i] = offset;
            length[i] = Character.charCount(text.codePointAt(offset));
            offset += length[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // highest score first; on equal scores the leftmost pair
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? (a.score < b.score ? 1 : -1) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offer(queue, text, start, length, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (!mergeSymbols(b.left, b.right, b.length, length, prev, next)) {
                continue;
            }
            offer(queue, text, start, length, prev[b.left], b.left);
            offer(queue, text, start, length, b.left, next[b.left]);
        }
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            String symbol = text.substring(start[i], start[i] + length[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteToken(b & 0xFF));
                }
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String text, int[] start, int[] length, int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        int len = length[left] + length[right];
        int id = vocab.id(text.substring(start[left], start[left] + len));
        if (id >= 0) {
            queue.add(new Bigram(left, right, vocab.score(id), len));
        }
    }

    /** The token for one byte of a symbol that is not in the vocabulary. */
    private int byteToken(int b) {
        int id = vocab.id(String.format("<0x%02X>", b));
        if (id < 0 && b < 0x80) {
            id = vocab.id(String.valueOf((char) b));
        }
        if (id < 0) {
            id = vocab.unknown();
        }
        if (id < 0) {
            throw new IllegalStateException(String.format("byte 0x%02X has no token and the vocabulary has no unknown token", b));
        }
        return id;
    }

    @Override
    byte[] normalBytes(int id) {
        return vocab.text(id).replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    byte[] byteTokenBytes(int id) {
        int b = byteValue(vocab.text(id));
        if (b < 0) {
            throw new IllegalStateException("byte token " + id + " is not written <0xXX>: '" + vocab.text(id) + "'");
        }
        return new byte[] {(byte) b};
    }

    /** The byte of a token written {@code <0xXX>} with two ASCII hex digits, or -1 for any other text. */
    static int byteValue(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') {
            return -1;
        }
        int hi = hexDigit(text.charAt(3));
        int lo = hexDigit(text.charAt(4));
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    private static int hexDigit(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }

    @Override
    public boolean addsSpacePrefix() {
        return vocab.addsSpacePrefix();
    }
}
