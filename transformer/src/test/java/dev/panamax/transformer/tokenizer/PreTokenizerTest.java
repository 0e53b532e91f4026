package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.testing.Seeded;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Word splits worked out by hand from each pattern, and the hand-written scanners against the regexes. */
@ExtendWith(Seeded.class)
class PreTokenizerTest {
    private static List<String> split(String pre, String text) {
        return PreTokenizer.forName(pre).split(text);
    }

    @Test
    void gpt2_keeps_a_leading_space_with_the_word_and_leaves_one_space_before_it() {
        assertEquals(List.of("Hello", " world"), split("gpt-2", "Hello world"));
        // "  here": \s+(?!\S) takes one space and leaves the other to " here"
        assertEquals(List.of("I", "'m", " ", " here", "\n"), split("gpt-2", "I'm  here\n"));
        assertEquals(List.of("abc", "123", " 456"), split("gpt-2", "abc123 456"));
        assertEquals(List.of("ied", " 4", " ½", " months"), split("gpt-2", "ied 4 ½ months"));
        assertEquals(List.of("a", " \n", "\n", "b"), split("gpt-2", "a \n\nb"));
    }

    @Test
    void gpt2_contractions_are_lower_case_only_and_llama3_ignores_case() {
        assertEquals(List.of("I", "'", "M"), split("gpt-2", "I'M"));
        assertEquals(List.of("I", "'M"), split("llama-bpe", "I'M"));
        assertEquals(List.of("we", "'ll"), split("llama-bpe", "we'll"));
    }

    @Test
    void llama3_groups_digits_by_three_and_qwen2_splits_every_digit() {
        assertEquals(List.of("abc", "123", "456", "7"), split("llama-bpe", "abc1234567"));
        assertEquals(List.of("abc", "1", "2", "3", "4"), split("qwen2", "abc1234"));
    }

    @Test
    void llama3_takes_whitespace_up_to_the_last_newline_and_newlines_after_symbols() {
        assertEquals(List.of("a", " \n\n", "b"), split("llama-bpe", "a \n\nb"));
        assertEquals(List.of("!!\n\n", "x"), split("llama-bpe", "!!\n\nx"));
        // one non-letter may lead a word: the tab, and also the quote without a contraction
        assertEquals(List.of("\tx", "'q"), split("llama-bpe", "\tx'q"));
        assertEquals(List.of("\tx", "'q"), split("qwen2", "\tx'q"));
    }

    @Test
    void starcoder_isolates_every_digit_before_the_gpt2_split() {
        assertEquals(List.of("x", "1", "2", " ", "3"), split("starcoder", "x12 3"));
    }

    @Test
    void deepseek_coder_splits_newlines_letters_punctuation_cjk_and_digits_apart() {
        assertEquals(List.of("a", "\n", " b", "!!", "中文", "1", "2"), split("deepseek-coder", "a\n b!!中文12"));
    }

    @Test
    void poro_keeps_what_lies_between_its_punctuation_and_viking_then_isolates_digits() {
        // " ?[^(\s|.,!?…。，、।۔،)]+": runs of other characters, each with at most one leading space;
        // what no match covers (the comma, the bang, a space before a space) is a piece of its own
        assertEquals(List.of("Hello", ",", " world", "!"), split("poro-chat", "Hello, world!"));
        assertEquals(List.of("a", " ", " b"), split("poro-chat", "a  b"));
        assertEquals(List.of("ab", "1", "2", " c"), split("viking", "ab12 c"));
    }

    @Test
    void every_alias_maps_to_its_rule_set_and_unknown_names_are_rejected() {
        assertEquals("gpt-2", PreTokenizer.forName("mpt").name());
        assertEquals("llama-bpe", PreTokenizer.forName("llama3").name());
        assertEquals("starcoder", PreTokenizer.forName("refact").name());
        assertThrows(IllegalArgumentException.class, () -> PreTokenizer.forName("tekken"));
    }

    /** Characters that exercise every branch: letters, digits, marks, symbols, Unicode whitespace, quotes. */
    private static final String[] ALPHABET = {"a", "Z", "s", "t", "re", "ll", "D", "é", "ß", "Ж", "中", "1", "٣", "½",
        " ", " ", " ", "\t", "\n", "\r", "\u00A0", "\u3000", "\u2028", "'", "!", ".", "$", "~", "😁", "\u0301", "_"};

    private static String randomText(Random random) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(24);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    private static List<String> apply(SplitRule rule, String text) {
        int[] cps = PreTokenizer.codePoints(text);
        IntList chunks = new IntList(1);
        chunks.add(cps.length);
        IntList out = rule.apply(new SplitText(cps), chunks);
        List<String> words = new ArrayList<>();
        for (int i = 0, start = 0; i < out.size(); start += out.get(i), i++) {
            words.add(new String(cps, start, out.get(i)));
        }
        return words;
    }

    private static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    @Test
    void the_hand_written_gpt2_scanner_agrees_with_the_gpt2_regex(Random random) {
        RegexSplit regex = new RegexSplit(GPT2_PATTERN);
        for (int i = 0; i < 2000; i++) {
            String text = randomText(random);
            assertEquals(apply(regex, text), apply(Gpt2Split.INSTANCE, text), () -> "text " + escape(text));
            assertEquals(text, String.join("", apply(Gpt2Split.INSTANCE, text)));
        }
    }

    @Test
    void the_hand_written_llama3_scanner_agrees_with_the_llama3_regex(Random random) {
        RegexSplit regex = new RegexSplit("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        for (int i = 0; i < 2000; i++) {
            String text = randomText(random);
            assertEquals(apply(regex, text), apply(Llama3Split.INSTANCE, text), () -> "text " + escape(text));
            assertEquals(text, String.join("", apply(Llama3Split.INSTANCE, text)));
        }
    }

    @Test
    void every_pre_tokenizer_splits_text_into_pieces_that_join_back_to_it(Random random) {
        for (String name : PreTokenizer.names()) {
            PreTokenizer pre = PreTokenizer.forName(name);
            for (int i = 0; i < 200; i++) {
                String text = randomText(random);
                List<String> words = pre.split(text);
                assertEquals(text, String.join("", words), () -> name + ": " + escape(text));
                assertEquals(false, words.contains(""), () -> name + ": empty word in " + escape(text));
            }
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.append(cp >= 0x20 && cp < 0x7F ? Character.toString(cp) : String.format("\\u{%X}", cp)));
        return sb.toString();
    }
}
