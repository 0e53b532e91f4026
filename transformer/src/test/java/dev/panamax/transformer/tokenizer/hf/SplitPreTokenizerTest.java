package dev.panamax.transformer.tokenizer.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Split} with each {@code behavior} and {@code invert}, read from tokenizer.json. The expected pieces
 * are Hugging Face tokenizers' own (huggingface/tokenizers, commit 3ba8ad00): the unit tests
 * {@code tokenizers/src/tokenizer/normalizer.rs} {@code split} and
 * {@code tokenizers/src/pre_tokenizers/split.rs} {@code basic}, {@code invert} and {@code regex_string}.
 * transformers.js 4.3.2 implements only Isolated and Removed (its {@code Split} keeps nothing but the
 * matches when inverted), so it is no reference here.
 */
class SplitPreTokenizerTest {
    private static List<String> split(String pattern, String behavior, boolean invert, String text) {
        return Steps.words(Steps.preTokenizer("{\"type\": \"Split\", \"pattern\": " + pattern + ", \"behavior\": \""
                + behavior + "\", \"invert\": " + invert + "}"), text);
    }

    /** normalizer.rs {@code split}: "The-final--countdown" split on '-'. */
    @Test
    void each_behavior_on_a_literal_as_hugging_face_splits_the_final_countdown() {
        String dash = "{\"String\": \"-\"}";
        String text = "The-final--countdown";
        assertEquals(List.of("The", "final", "countdown"), split(dash, "Removed", false, text));
        assertEquals(List.of("The", "-", "final", "-", "-", "countdown"), split(dash, "Isolated", false, text));
        assertEquals(List.of("The-", "final-", "-", "countdown"), split(dash, "MergedWithPrevious", false, text));
        assertEquals(List.of("The", "-final", "-", "-countdown"), split(dash, "MergedWithNext", false, text));
        assertEquals(List.of("The", "-", "final", "--", "countdown"), split(dash, "Contiguous", false, text));
    }

    /** split.rs {@code basic}: the regex of the Whitespace pre-tokenizer, inverted, on "How are you doing?". */
    @Test
    void each_behavior_with_an_inverted_regex_as_split_rs_basic() {
        String words = "{\"Regex\": \"\\\\w+|[^\\\\w\\\\s]+\"}";
        String text = "How are you doing?";
        assertEquals(List.of("How", "are", "you", "doing", "?"), split(words, "Removed", true, text));
        assertEquals(List.of("How", " ", "are", " ", "you", " ", "doing", "?"), split(words, "Isolated", true, text));
        assertEquals(List.of("How ", "are ", "you ", "doing", "?"), split(words, "MergedWithPrevious", true, text));
        assertEquals(List.of("How", " are", " you", " doing", "?"), split(words, "MergedWithNext", true, text));
        assertEquals(List.of("How", " ", "are", " ", "you", " ", "doing?"), split(words, "Contiguous", true, text));
    }

    /** split.rs {@code invert}: splitting on " " equals keeping "Hello" inverted, both Removed. */
    @Test
    void removing_the_spaces_equals_keeping_the_words_inverted() {
        String text = "Hello Hello Hello";
        List<String> expected = List.of("Hello", "Hello", "Hello");
        assertEquals(expected, split("{\"String\": \" \"}", "Removed", false, text));
        assertEquals(expected, split("{\"String\": \"Hello\"}", "Removed", true, text));
    }

    /** split.rs {@code regex_string}: a regex \s+ and the literal " " split "Hey, man!" alike. */
    @Test
    void a_regex_and_a_literal_remove_alike() {
        assertEquals(List.of("Hey,", "man!"), split("{\"Regex\": \"\\\\s+\"}", "Removed", false, "Hey, man!"));
        assertEquals(List.of("Hey,", "man!"), split("{\"String\": \" \"}", "Removed", false, "Hey, man!"));
    }

    /** pattern.rs {@code regex}: matches at both ends and astral text; no empty piece is ever made. */
    @Test
    void matches_at_both_ends_and_astral_characters() {
        String spaces = "{\"Regex\": \"\\\\s+\"}";
        assertEquals(List.of("   ", "a", "   ", "b", "   "), split(spaces, "Isolated", false, "   a   b   "));
        assertEquals(List.of("\uD835\uDD3E\uD835\uDD60\uD835\uDD60\uD835\uDD55", " ",
                        "\uD835\uDD5E\uD835\uDD60\uD835\uDD63\uD835\uDD5F\uD835\uDD5A\uD835\uDD5F\uD835\uDD58"),
                split(spaces, "Isolated", false, "\uD835\uDD3E\uD835\uDD60\uD835\uDD60\uD835\uDD55 "
                        + "\uD835\uDD5E\uD835\uDD60\uD835\uDD63\uD835\uDD5F\uD835\uDD5A\uD835\uDD5F\uD835\uDD58"));
        assertEquals(List.of(), split(spaces, "Removed", false, "   "));
        assertEquals(List.of("aaa"), split(spaces, "MergedWithNext", false, "aaa"));
    }
}
