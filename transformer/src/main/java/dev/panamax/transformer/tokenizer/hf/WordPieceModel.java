package dev.panamax.transformer.tokenizer.hf;

import java.util.Map;
import java.util.function.IntConsumer;

/**
 * {@code WordPiece} (BERT and its embedding-model descendants): each word is cut greedily into the
 * longest tokens from the left, pieces after the first written with {@code continuing_subword_prefix}
 * ({@code ##}); a word with an uncoverable rest, or longer than {@code max_input_chars_per_word} code
 * points, is the unknown token.
 */
public record WordPieceModel(Map<String, Integer> vocab, int unknown, String prefix, int maxInputChars)
        implements TokenModel {

    @Override
    public void encode(String word, IntConsumer out) {
        int n = word.length();
        if (word.codePointCount(0, n) > maxInputChars) {
            out.accept(unknown);
            return;
        }
        int[] pieces = new int[n];
        int count = 0;
        for (int start = 0; start < n; ) {
            int found = -1;
            int end = n;
            for (; end > start; end = word.offsetByCodePoints(end, -1)) {
                String piece = word.substring(start, end);
                Integer id = vocab.get(start > 0 ? prefix + piece : piece);
                if (id != null) {
                    found = id;
                    break;
                }
            }
            if (found < 0) {
                out.accept(unknown);
                return;
            }
            pieces[count++] = found;
            start = end;
        }
        for (int i = 0; i < count; i++) {
            out.accept(pieces[i]);
        }
    }
}
