package dev.panamax.transformer.tokenizer;

import static dev.panamax.transformer.tokenizer.Vocabs.SPM_FIRST_NORMAL;
import static dev.panamax.transformer.tokenizer.Vocabs.spm;
import static dev.panamax.transformer.tokenizer.Vocabs.spmByte;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.transformer.tokenizer.Vocabs.Piece;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** SentencePiece BPE on hand-made vocabularies; every expectation is worked out in the comments. */
class SpmTokenizerTest {
    private static final int SPACE = SPM_FIRST_NORMAL; // "▁"

    /** ▁ a b c ab bc ▁a with the given scores of "ab" and "bc". */
    private static Tokenizer abc(float ab, float bc) {
        return Tokenizer.create(spm(new Piece("▁", -10), new Piece("a", -10), new Piece("b", -10),
                new Piece("c", -10), new Piece("ab", ab), new Piece("bc", bc), new Piece("▁a", -20)).build());
    }

    @Test
    void the_pair_with_the_higher_score_merges_first() {
        int c = SPM_FIRST_NORMAL + 3;
        int ab = SPM_FIRST_NORMAL + 4;
        int bc = SPM_FIRST_NORMAL + 5;
        int spaceA = SPM_FIRST_NORMAL + 6;
        // "▁abc": "ab" (-1) beats "bc" (-2) and "▁a" (-20); then "▁ab" and "abc" are no tokens; "▁a" is stale
        assertArrayEquals(new int[] {SPACE, ab, c}, abc(-1, -2).encode("abc", false, false));
        // "bc" (-1) first; then "▁a" (-20) is still a valid pair; "abc" is no token
        assertArrayEquals(new int[] {spaceA, bc}, abc(-2, -1).encode("abc", false, false));
    }

    @Test
    void equal_scores_merge_the_leftmost_pair_first() {
        Tokenizer tok = Tokenizer.create(spm(new Piece("▁", -10), new Piece("a", -10), new Piece("aa", -1)).build());
        int a = SPM_FIRST_NORMAL + 1;
        int aa = SPM_FIRST_NORMAL + 2;
        // "▁aaa": a|a at 1-2 and 2-3 tie; the left one merges, leaving "▁ aa a"
        assertArrayEquals(new int[] {SPACE, aa, a}, tok.encode("aaa", false, false));
        // "▁aaaa": (1,2) merges, (2,3) is stale, (3,4) merges
        assertArrayEquals(new int[] {SPACE, aa, aa}, tok.encode("aaaa", false, false));
    }

    @Test
    void spaces_become_the_space_mark_and_a_space_is_prefixed() {
        Tokenizer tok = Tokenizer.create(spm(new Piece("▁", -10), new Piece("a", -10), new Piece("b", -10),
                new Piece("▁a", -1), new Piece("▁b", -1)).build());
        int spaceA = SPM_FIRST_NORMAL + 3;
        int spaceB = SPM_FIRST_NORMAL + 4;
        // "a b" -> "▁a▁b": "▁a" and "▁b" merge, "a▁" is no token
        assertArrayEquals(new int[] {spaceA, spaceB}, tok.encode("a b", false, false));
        Tokenizer noPrefix = Tokenizer.create(spm(new Piece("▁", -10), new Piece("a", -10), new Piece("b", -10),
                new Piece("▁a", -1), new Piece("▁b", -1)).addSpacePrefix(false).build());
        assertArrayEquals(new int[] {SPM_FIRST_NORMAL + 1, spaceB}, noPrefix.encode("a b", false, false));
    }

    @Test
    void characters_without_a_token_fall_back_to_their_utf8_bytes() {
        Tokenizer tok = Tokenizer.create(spm(new Piece("▁", -10)).build());
        // é is C3 A9; 😁 is F0 9F 98 81
        assertArrayEquals(new int[] {SPACE, spmByte(0xC3), spmByte(0xA9)}, tok.encode("é", false, false));
        assertArrayEquals(new int[] {SPACE, spmByte(0xF0), spmByte(0x9F), spmByte(0x98), spmByte(0x81)},
                tok.encode("😁", false, false));
        assertEquals("é😁", tok.decode(tok.encode("é😁", false, false)));
    }

    @Test
    void without_byte_tokens_an_unknown_character_becomes_the_unknown_token() {
        Tokenizer tok = Tokenizer.create(TokenizerConfig.builder("llama", java.util.List.of("<unk>", "<s>", "</s>", "▁", "x"))
                .tokenTypes(new int[] {2, 3, 3, 1, 1}).build());
        // "▁xé": é has neither a token nor byte tokens: each of its two bytes is <unk>
        assertArrayEquals(new int[] {3, 4, 0, 0}, tok.encode("xé", false, false));
    }

    @Test
    void control_tokens_are_recognised_only_when_parsing_specials() {
        Tokenizer tok = Tokenizer.create(spm(new Piece("▁", -10), new Piece("a", -10), new Piece("b", -10),
                new Piece("ab", -1), new Piece("▁ab", -3)).build());
        int ab = SPM_FIRST_NORMAL + 3;
        int spaceAb = SPM_FIRST_NORMAL + 4;
        // the text after <s> gets the space prefix: "▁ab" -> ab (-1) then ▁ab (-3)
        assertArrayEquals(new int[] {1, spaceAb, 2}, tok.encode("<s>ab</s>", false, true));
        // as plain text: "▁<s>ab</s>"; only "ab" merges; < s > / have no tokens and fall back to bytes
        assertArrayEquals(new int[] {SPACE, spmByte('<'), spmByte('s'), spmByte('>'), ab, spmByte('<'), spmByte('/'),
                spmByte('s'), spmByte('>')}, tok.encode("<s>ab</s>", false, false));
    }

    @Test
    void user_defined_tokens_are_always_recognised_and_text_after_them_gets_the_space_prefix() {
        Tokenizer tok = Tokenizer.create(spm(new Piece("▁", -10), new Piece("▁a", -1), new Piece("▁b", -1),
                new Piece("<sep>", 0, TokenType.USER_DEFINED)).build());
        int spaceA = SPM_FIRST_NORMAL + 1;
        int spaceB = SPM_FIRST_NORMAL + 2;
        int sep = SPM_FIRST_NORMAL + 3;
        assertArrayEquals(new int[] {spaceA, sep, spaceB}, tok.encode("a<sep>b", false, false));
    }

    @Test
    void add_special_prepends_bos_and_appends_eos_when_asked() {
        Tokenizer tok = Tokenizer.create(spm(new Piece("▁a", -1)).build());
        int spaceA = SPM_FIRST_NORMAL;
        assertArrayEquals(new int[] {1, spaceA}, tok.encode("a"));
        assertArrayEquals(new int[] {1}, tok.encode(""));
        assertArrayEquals(new int[0], tok.encode("", false, false));
        Tokenizer withEos = Tokenizer.create(spm(new Piece("▁a", -1)).addEos(true).addBos(false).build());
        assertArrayEquals(new int[] {spaceA, 2}, withEos.encode("a"));
    }

    @Test
    void decoding_drops_the_prefixed_space_and_control_tokens() {
        Tokenizer tok = Tokenizer.create(spm(new Piece("▁ab", -1), new Piece("▁c", -1)).build());
        int spaceAb = SPM_FIRST_NORMAL;
        int spaceC = SPM_FIRST_NORMAL + 1;
        assertEquals("ab c", tok.decode(new int[] {spaceAb, spaceC}));
        // as llama.cpp: BOS is skipped but still counts as the first token, so the space stays
        assertEquals(" ab c", tok.decode(new int[] {1, spaceAb, spaceC}));
        assertEquals("é", tok.decode(new int[] {spmByte(0xC3), spmByte(0xA9)}));
        assertArrayEquals(new byte[] {(byte) 0xC3}, tok.tokenBytes(spmByte(0xC3)));
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(1));
        assertArrayEquals(" ab".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(spaceAb));
    }

    @Test
    void ids_outside_the_vocabulary_are_rejected() {
        Tokenizer tok = Tokenizer.create(spm().build());
        assertThrows(IllegalArgumentException.class, () -> tok.tokenBytes(tok.vocabSize()));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
    }

    @Test
    void special_ids_default_to_llamas_and_eos_ends_generation() {
        Tokenizer tok = Tokenizer.create(spm().build());
        assertEquals(1, tok.bos());
        assertEquals(2, tok.eos());
        assertEquals(true, tok.isEog(2));
        assertEquals(false, tok.isEog(1));
        assertEquals(0, tok.vocabulary().unknown());
    }
}
