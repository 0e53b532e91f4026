package dev.panamax.transformer.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** What both tokenizers share: the vocabulary, special-token handling and decoding. */
abstract sealed class AbstractTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer, WordPieceTokenizer {
    private static final byte[] EMPTY = new byte[0];

    final Vocabulary vocab;

    AbstractTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
    }

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        text = wellFormed(text);
        IntList out = new IntList(text.length() / 3 + 2);
        if (addSpecial && vocab.addsBos()) {
            out.add(requireSpecial(vocab.bos(), "BOS"));
        }
        encodeFragments(text, SpecialTokenSplitter.split(vocab, text, parseSpecial), out);
        if (addSpecial && vocab.addsEos()) {
            out.add(requireSpecial(vocab.eos(), "EOS"));
        }
        return out.toArray();
    }

    /**
     * Merges symbol {@code right} into its neighbour {@code left} in a linked list of symbols
     * ({@code length} in chars, 0 once merged away; {@code prev} and {@code next} indexes, -1 at the
     * ends), unless the pair is stale: a side was merged away or has grown since the pair, then
     * {@code pairLength} chars long, was queued. Symbols keep their start, so equal lengths mean
     * equal texts.
     *
     * @return whether the pair was merged
     */
    static boolean mergeSymbols(int left, int right, int pairLength, int[] length, int[] prev, int[] next) {
        if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != pairLength) {
            return false;
        }
        length[left] += length[right];
        length[right] = 0;
        next[left] = next[right];
        if (next[right] >= 0) {
            prev[next[right]] = left;
        }
        return true;
    }

    /**
     * {@code text} with every unpaired surrogate replaced by U+FFFD, which is what llama.cpp makes of
     * invalid UTF-8 (a Java string cannot hold invalid bytes; unpaired surrogates are its equivalent).
     */
    static String wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    return new String(PreTokenizer.codePoints(text), 0, text.codePointCount(0, text.length()));
                }
                i++;
            }
        }
        return text;
    }

    private static int requireSpecial(int id, String what) {
        if (id < 0) {
            throw new IllegalStateException("the vocabulary asks for a " + what + " token but has none");
        }
        return id;
    }

    /** Tokenizes the fragments of {@code text} in order, appending to {@code out}. */
    abstract void encodeFragments(String text, List<Fragment> fragments, IntList out);

    @Override
    public final byte[] tokenBytes(int id) {
        checkId(id);
        return switch (vocab.type(id)) {
            case CONTROL, UNKNOWN, USER_DEFINED -> vocab.text(id).getBytes(StandardCharsets.UTF_8);
            case NORMAL -> normalBytes(id);
            case BYTE -> byteTokenBytes(id);
            case UNUSED, UNDEFINED -> EMPTY;
        };
    }

    /** The bytes of a normal token. */
    abstract byte[] normalBytes(int id);

    /** The bytes of a byte token; byte-level BPE has none and decodes them to nothing, like llama.cpp. */
    byte[] byteTokenBytes(int id) {
        return EMPTY;
    }

    void checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab.size() + " tokens");
        }
    }

    @Override
    public final String decode(int[] ids, boolean skipSpecial) {
        StreamingDecoder decoder = new StreamingDecoder(this, !skipSpecial);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append(decoder.next(id));
        }
        return sb.append(decoder.finish()).toString();
    }

    @Override
    public final Vocabulary vocabulary() {
        return vocab;
    }
}
