package dev.panamax.transformer.tokenizer.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Digits}, {@code Punctuation}, {@code Metaspace} and {@code BertPreTokenizer}, read from tokenizer.json.
 * The expected pieces are Hugging Face tokenizers' (huggingface/tokenizers, commit 3ba8ad00): the unit tests
 * of {@code tokenizers/src/pre_tokenizers/digits.rs} ({@code numbers}, {@code individual_digits}),
 * {@code punctuation.rs} ({@code punctuation_basic}), {@code metaspace.rs} ({@code basic},
 * {@code multiple_spaces}), {@code bert.rs} ({@code basic}); the other behaviours of {@code Punctuation}
 * follow {@code SplitDelimiterBehavior} as {@code normalizer.rs} defines it (see SplitPreTokenizerTest).
 * transformers.js 4.3.2 ignores Punctuation's behavior (it keeps runs of punctuation together), Metaspace's
 * {@code split} (it never splits) and counts only ASCII digits, so Hugging Face is the reference here.
 */
class CharacterClassPreTokenizersTest {
    @Test
    void digits_keep_a_number_together_unless_individual_digits() {
        String text = "Hey 123 friend!";
        assertEquals(List.of("Hey ", "123", " friend!"), Steps.words(Steps.preTokenizer("{\"type\": \"Digits\"}"), text));
        assertEquals(List.of("Hey ", "123", " friend!"),
                Steps.words(Steps.preTokenizer("{\"type\": \"Digits\", \"individual_digits\": false}"), text));
        assertEquals(List.of("Hey ", "1", "2", "3", " friend!"),
                Steps.words(Steps.preTokenizer("{\"type\": \"Digits\", \"individual_digits\": true}"), text));
    }

    @Test
    void digits_are_rusts_is_numeric_not_only_ascii() {
        // char::is_numeric: categories Nd, Nl, No (digits.rs splits with it): Arabic-Indic ٣, Roman numeral Ⅻ, ½
        assertEquals(List.of("x", "\u0663\u216B\u00BD", "y"),
                Steps.words(Steps.preTokenizer("{\"type\": \"Digits\"}"), "x\u0663\u216B\u00BDy"));
    }

    @Test
    void punctuation_isolates_each_mark_by_default_and_honours_its_behavior() {
        String text = "Hey friend!     How are you?!?";
        List<String> isolated = List.of("Hey friend", "!", "     How are you", "?", "!", "?");
        assertEquals(isolated, Steps.words(Steps.preTokenizer("{\"type\": \"Punctuation\"}"), text));
        assertEquals(isolated, words("Punctuation", "Isolated", text));
        assertEquals(List.of("Hey friend", "     How are you"), words("Punctuation", "Removed", text));
        assertEquals(List.of("Hey friend!", "     How are you?", "!", "?"), words("Punctuation", "MergedWithPrevious", text));
        assertEquals(List.of("Hey friend", "!     How are you", "?", "!", "?"), words("Punctuation", "MergedWithNext", text));
        assertEquals(List.of("Hey friend", "!", "     How are you", "?!?"), words("Punctuation", "Contiguous", text));
    }

    @Test
    void punctuation_is_ascii_punctuation_or_unicode_category_p() {
        // $ + < = > ^ ` | ~ are ASCII punctuation to Rust though Unicode calls them symbols; ¡ « » are P*; € is not
        assertEquals(List.of("$", "a", "\u00A1", "b", "\u00AB", "\u20AC", "\u00BB"),
                words("Punctuation", "Isolated", "$a\u00A1b\u00AB\u20AC\u00BB"));
    }

    private static List<String> words(String type, String behavior, String text) {
        return Steps.words(Steps.preTokenizer("{\"type\": \"" + type + "\", \"behavior\": \"" + behavior + "\"}"), text);
    }

    @Test
    void metaspace_replaces_spaces_and_splits_before_each_replacement() {
        PreTokenizerStep metaspace = Steps.preTokenizer(
                "{\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"always\", \"split\": true}");
        assertEquals(List.of("\u2581Hey", "\u2581friend!"), Steps.words(metaspace, "Hey friend!"));
        assertEquals(List.of("\u2581Hey", "\u2581", "\u2581", "\u2581friend!"), Steps.words(metaspace, "Hey   friend!"));
    }

    @Test
    void metaspace_without_split_keeps_one_piece_and_never_prepends_to_an_existing_replacement() {
        PreTokenizerStep metaspace = Steps.preTokenizer(
                "{\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"always\", \"split\": false}");
        assertEquals(List.of("\u2581Hey\u2581\u2581\u2581friend!"), Steps.words(metaspace, "Hey   friend!"));
        assertEquals(List.of("\u2581Hey"), Steps.words(metaspace, " Hey"));
        PreTokenizerStep never = Steps.preTokenizer("{\"type\": \"Metaspace\", \"prepend_scheme\": \"never\", \"split\": true}");
        assertEquals(List.of("Hey", "\u2581friend!"), Steps.words(never, "Hey friend!"));
    }

    @Test
    void metaspace_first_prepends_only_to_the_first_section() {
        PreTokenizerStep first = Steps.preTokenizer("{\"type\": \"Metaspace\", \"prepend_scheme\": \"first\", \"split\": false}");
        List<String> out = new ArrayList<>();
        first.split("how are", false, out);
        assertEquals(List.of("how\u2581are"), out);
        assertEquals(List.of("\u2581how\u2581are"), Steps.words(first, "how are"));
    }

    @Test
    void bert_pre_tokenizer_drops_whitespace_and_isolates_punctuation() {
        assertEquals(List.of("Hey", "friend", "!", "How", "are", "you", "?", "!", "?"),
                Steps.words(Steps.preTokenizer("{\"type\": \"BertPreTokenizer\"}"), "Hey friend!     How are you?!?"));
    }
}
