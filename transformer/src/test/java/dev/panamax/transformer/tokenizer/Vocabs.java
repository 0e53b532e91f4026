package dev.panamax.transformer.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Hand-made vocabularies for unit tests. */
final class Vocabs {
    /** First id of the normal tokens of {@link #spm}: after {@code <unk> <s> </s>} and 256 byte tokens. */
    static final int SPM_FIRST_NORMAL = 259;
    /** First id after the 256 byte characters of {@link #byteLevel}. */
    static final int BPE_FIRST_EXTRA = 256;

    private Vocabs() {
    }

    /** A piece and its score. */
    record Piece(String text, float score, TokenType type) {
        Piece(String text, float score) {
            this(text, score, TokenType.NORMAL);
        }
    }

    /**
     * A SentencePiece vocabulary: 0 {@code <unk>}, 1 {@code <s>}, 2 {@code </s>}, 3..258 the byte
     * tokens {@code <0x00>..<0xFF>} (so byte b is id b + 3), then {@code pieces} from id 259.
     */
    static TokenizerConfig.Builder spm(Piece... pieces) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        List<TokenType> types = new ArrayList<>(List.of(TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            scores.add(0f);
            types.add(TokenType.BYTE);
        }
        for (Piece p : pieces) {
            tokens.add(p.text());
            scores.add(p.score());
            types.add(p.type());
        }
        float[] s = new float[scores.size()];
        int[] t = new int[types.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            t[i] = types.get(i).ggufId();
        }
        return TokenizerConfig.builder("llama", tokens).scores(s).tokenTypes(t);
    }

    /** The byte token id of {@link #spm} for byte {@code b}. */
    static int spmByte(int b) {
        return b + 3;
    }

    /**
     * A byte-level BPE vocabulary: ids 0..255 are the single bytes (id = byte value), then {@code extra}
     * (written in GPT-2's byte characters, e.g. {@code Ġ} for a space) from id 256.
     */
    static TokenizerConfig.Builder byteLevel(List<String> extra, List<String> merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
        }
        tokens.addAll(extra);
        return TokenizerConfig.builder("gpt2", tokens).merges(merges).pre("gpt-2");
    }
}
