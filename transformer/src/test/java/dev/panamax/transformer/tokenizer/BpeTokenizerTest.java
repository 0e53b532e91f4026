package dev.panamax.transformer.tokenizer;

import static dev.panamax.transformer.tokenizer.Vocabs.BPE_FIRST_EXTRA;
import static dev.panamax.transformer.tokenizer.Vocabs.byteLevel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte-level BPE on hand-made vocabularies: single bytes are ids 0..255, extra tokens from 256. */
class BpeTokenizerTest {
    private static final int EXTRA = BPE_FIRST_EXTRA;

    @Test
    void merges_apply_in_rank_order() {
        List<String> tokens = List.of("ab", "bc");
        // rank 0 "a b": ab c
        assertArrayEquals(new int[] {EXTRA, 'c'},
                Tokenizer.create(byteLevel(tokens, List.of("a b", "b c")).build()).encode("abc", false, false));
        // rank 0 "b c": a bc
        assertArrayEquals(new int[] {'a', EXTRA + 1},
                Tokenizer.create(byteLevel(tokens, List.of("b c", "a b")).build()).encode("abc", false, false));
    }

    @Test
    void merges_chain_into_longer_tokens() {
        // " the" is the word "Ġthe": h+e (rank 0), Ġ+t (1), Ġt+he (2)
        Tokenizer tok = Tokenizer.create(byteLevel(List.of("he", "Ġt", "Ġthe"), List.of("h e", "Ġ t", "Ġt he")).build());
        assertArrayEquals(new int[] {EXTRA + 2}, tok.encode(" the", false, false));
        assertEquals(" the", tok.decode(new int[] {EXTRA + 2}));
    }

    @Test
    void equal_ranks_merge_the_leftmost_pair_first() {
        Tokenizer tok = Tokenizer.create(byteLevel(List.of("aa"), List.of("a a")).build());
        assertArrayEquals(new int[] {EXTRA, 'a'}, tok.encode("aaa", false, false));
        assertArrayEquals(new int[] {EXTRA, EXTRA}, tok.encode("aaaa", false, false));
    }

    @Test
    void merges_never_cross_the_pre_tokenizers_word_boundaries() {
        Tokenizer tok = Tokenizer.create(byteLevel(List.of("oĠ"), List.of("o Ġ")).build());
        // GPT-2 splits "o w" into "o" and " w": the space stays with the w
        assertArrayEquals(new int[] {'o', ' ', 'w'}, tok.encode("o w", false, false));
    }

    @Test
    void a_merged_symbol_without_a_token_falls_back_to_its_ascii_characters() {
        Tokenizer tok = Tokenizer.create(byteLevel(List.of(), List.of("x y")).build());
        assertArrayEquals(new int[] {'x', 'y'}, tok.encode("xy", false, false));
    }

    @Test
    void llama3_style_vocabularies_take_whole_word_tokens_without_merging() {
        List<String> tokens = List.of("ab", "abc");
        List<String> merges = List.of("a b");
        assertArrayEquals(new int[] {EXTRA, 'c'},
                Tokenizer.create(byteLevel(tokens, merges).build()).encode("abc", false, false));
        assertArrayEquals(new int[] {EXTRA + 1},
                Tokenizer.create(byteLevel(tokens, merges).pre("llama-bpe").build()).encode("abc", false, false));
    }

    @Test
    void text_is_encoded_as_utf8_bytes() {
        Tokenizer tok = Tokenizer.create(byteLevel(List.of(), List.of()).build());
        assertArrayEquals(new int[] {0xC3, 0xA9}, tok.encode("é", false, false));
        assertArrayEquals(new int[] {0xF0, 0x9F, 0x98, 0x81}, tok.encode("😁", false, false));
        assertEquals("é😁", tok.decode(new int[] {0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x81}));
    }

    @Test
    void unpaired_surrogates_are_encoded_as_the_replacement_character() {
        Tokenizer tok = Tokenizer.create(byteLevel(List.of(), List.of()).build());
        // U+FFFD is EF BF BD, as llama.cpp replaces invalid UTF-8
        assertArrayEquals(new int[] {'a', 0xEF, 0xBF, 0xBD, 'b'}, tok.encode("a\uD800b", false, false));
        assertArrayEquals(new int[] {0xEF, 0xBF, 0xBD}, tok.encode("\uDC00", false, false));
        assertArrayEquals(new int[] {0xF0, 0x9F, 0x98, 0x81}, tok.encode("\uD83D\uDE01", false, false));
    }

    @Test
    void control_tokens_are_recognised_only_when_parsing_specials() {
        List<String> extra = List.of("<|endoftext|>");
        int[] types = new int[257];
        java.util.Arrays.fill(types, TokenType.NORMAL.ggufId());
        types[EXTRA] = TokenType.CONTROL.ggufId();
        Tokenizer tok = Tokenizer.create(byteLevel(extra, List.of()).tokenTypes(types).eos(EXTRA).build());
        assertArrayEquals(new int[] {'a', EXTRA, 'b'}, tok.encode("a<|endoftext|>b", false, true));
        // as text, GPT-2 splits "a", "<|", "endoftext", "|>", "b"
        assertArrayEquals("a<|endoftext|>b".chars().toArray(), tok.encode("a<|endoftext|>b", false, false));
        assertEquals("ab", tok.decode(new int[] {'a', EXTRA, 'b'}));
        assertEquals(true, tok.isEog(EXTRA));
    }

    @Test
    void bos_is_added_only_when_the_vocabulary_asks_for_it() {
        Tokenizer plain = Tokenizer.create(byteLevel(List.of("<s>"), List.of()).bos(EXTRA).build());
        assertArrayEquals(new int[] {'a'}, plain.encode("a"));
        Tokenizer withBos = Tokenizer.create(byteLevel(List.of("<s>"), List.of()).bos(EXTRA).addBos(true).build());
        assertArrayEquals(new int[] {EXTRA, 'a'}, withBos.encode("a"));
        Tokenizer llama3 = Tokenizer.create(byteLevel(List.of("<s>"), List.of()).bos(EXTRA).pre("llama-bpe").build());
        assertArrayEquals(new int[] {EXTRA, 'a'}, llama3.encode("a"));
    }

    @Test
    void unknown_pre_tokenizers_and_missing_merges_are_rejected() {
        assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.create(byteLevel(List.of(), List.of()).pre("no-such-pre").build()));
        assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.create(byteLevel(List.of(), List.of()).merges(null).build()));
        assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.create(byteLevel(List.of(), List.of()).bos(300).build()));
    }
}
