package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code WordPiece}: a piece that continues a word loses its {@code prefix} ({@code ##}), every other
 * piece but the first gets a space before it; {@code cleanup} removes spaces before punctuation and
 * in English contractions.
 */
public record WordPieceDecoder(String prefix, boolean cleanup) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> pieces) {
        List<String> out = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            String p = pieces.get(i);
            if (i > 0) {
                p = p.startsWith(prefix) ? p.substring(prefix.length()) : " " + p;
            }
            out.add(cleanup ? CleanUp.wordPiece(p) : p);
        }
        return out;
    }
}
