package dev.panamax.jmh.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic SentencePiece vocabulary of any size: {@code <unk>}, {@code <s>}, {@code </s>}, the 256
 * byte-fallback tokens {@code <0x00>...<0xFF>}, then distinct word pieces {@code ▁w0, ▁w1, ...} with
 * decreasing scores. It has the layout llama.cpp's "llama" tokenizer expects.
 *
 * @param tokens the pieces, by id
 * @param scores one score per piece
 * @param types  llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte
 */
public record SynthVocabulary(List<String> tokens, float[] scores, int[] types) {
    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int BYTE = 6;

    /**
     * A vocabulary of exactly {@code size} pieces.
     *
     * @param size the number of pieces
     * @return the vocabulary
     */
    public static SynthVocabulary of(int size) {
        if (size < 3 + 256 + 1) {
            throw new IllegalArgumentException("a synthetic SentencePiece vocabulary needs at least 260 pieces, got " + size);
        }
        List<String> tokens = new ArrayList<>(size);
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens.add("<unk>");
        types[UNK] = UNKNOWN;
        tokens.add("<s>");
        types[BOS] = CONTROL;
        tokens.add("</s>");
        types[EOS] = CONTROL;
        for (int b = 0; b < 256; b++) {
            types[tokens.size()] = BYTE;
            tokens.add(String.format("<0x%02X>", b));
        }
        for (int i = 0; tokens.size() < size; i++) {
            scores[tokens.size()] = -i;
            types[tokens.size()] = NORMAL;
            tokens.add("\u2581w" + Integer.toString(i, 36));
        }
        return new SynthVocabulary(List.copyOf(tokens), scores, types);
    }
}
