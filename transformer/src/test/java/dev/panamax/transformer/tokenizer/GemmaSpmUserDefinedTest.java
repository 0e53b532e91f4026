package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.transformer.tokenizer.Vocabs.Piece;
import org.junit.jupiter.api.Test;

/**
 * Gemma's GGUF vocabularies: SentencePiece without a space prefix, whose user-defined tokens are runs
 * of whitespace stored with real spaces ({@code "  "}, {@code "\n\n"}, {@code "\t"}; the converter
 * "pre-normalizes" their {@code ▁}). As in llama.cpp they are cut out of the raw text first, longest
 * first, even without parsing special tokens, and decode to themselves.
 */
class GemmaSpmUserDefinedTest {
    private static final int A = Vocabs.SPM_FIRST_NORMAL;
    private static final int B = A + 1;
    private static final int SPACE_B = A + 2;
    private static final int SPACE = A + 3;
    private static final int TWO_SPACES = A + 4;
    private static final int THREE_SPACES = A + 5;
    private static final int NEWLINES = A + 6;
    private static final int TAB = A + 7;

    private static Tokenizer gemma() {
        TokenizerConfig c = Vocabs.spm(new Piece("a", -3), new Piece("b", -3), new Piece("▁b", -1), new Piece("▁", -2),
                        new Piece("  ", 0, TokenType.USER_DEFINED), new Piece("   ", 0, TokenType.USER_DEFINED),
                        new Piece("\n\n", 0, TokenType.USER_DEFINED), new Piece("\t", 0, TokenType.USER_DEFINED))
                .addSpacePrefix(false).addBos(false).build();
        return Tokenizer.create(c);
    }

    @Test
    void whitespace_runs_are_user_defined_tokens_matched_in_the_raw_text() {
        Tokenizer tok = gemma();
        // "a" + "   " (longest run first) + " b"? no: the three-space run takes all three spaces, "b" follows
        assertArrayEquals(new int[] {A, THREE_SPACES, B}, tok.encode("a   b", false, false));
        // four spaces: the three-space token, then " b" as SentencePiece text
        assertArrayEquals(new int[] {A, THREE_SPACES, SPACE_B}, tok.encode("a    b", false, false));
        assertArrayEquals(new int[] {A, TWO_SPACES, B, NEWLINES, TAB, A}, tok.encode("a  b\n\n\ta", false, false));
        // a single space is ordinary text: no prefix space is added at the start or after a user-defined token
        assertArrayEquals(new int[] {A, SPACE_B}, tok.encode("a b", false, false));
        assertArrayEquals(new int[] {NEWLINES, B}, tok.encode("\n\nb", false, false));
    }

    @Test
    void user_defined_whitespace_decodes_to_itself() {
        Tokenizer tok = gemma();
        String text = "a   b  b\n\n\ta b";
        assertEquals(text, tok.decode(tok.encode(text, false, false)));
        assertEquals(TokenType.USER_DEFINED, tok.vocabulary().type(TWO_SPACES));
        assertEquals(" ", new String(tok.tokenBytes(SPACE), java.nio.charset.StandardCharsets.UTF_8));
    }
}
