package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Added tokens' {@code lstrip}, {@code rstrip}, {@code single_word} and {@code normalized}, through a whole
 * tokenizer.json. The expected splits are Hugging Face tokenizers' unit tests in
 * {@code tokenizers/src/tokenizer/added_vocabulary.rs} (commit 3ba8ad00): {@code can_extract_added_tokens},
 * {@code options_use_cases}, {@code test_single_word_is_correct}, {@code test_single_word_is_unicode_correct}
 * and {@code test_lstrip_unicode_space}. There the stretches between tokens are left as text; here a
 * pre-tokenizer that isolates whitespace runs and a WordPiece model whose vocabulary holds exactly those
 * stretches' words and spaces turn each into its ids, so the ids show where the tokens were cut and what
 * whitespace they swallowed.
 */
class AddedTokenOptionsTest {
    private final Map<String, Integer> ids = new LinkedHashMap<>();

    /** A tokenizer with {@code words} as its WordPiece vocabulary (after [UNK]), then {@code added} tokens. */
    private HuggingFaceTokenizer tokenizer(Path dir, String normalizer, List<String> added, String... words) throws Exception {
        ids.put("[UNK]", 0);
        for (String w : words) {
            ids.put(w, ids.size());
        }
        StringBuilder vocab = new StringBuilder();
        ids.forEach((w, id) -> vocab.append(vocab.isEmpty() ? "" : ", ").append(quote(w)).append(": ").append(id));
        List<String> addedJson = new ArrayList<>();
        for (String options : added) {
            int id = ids.size();
            String content = options.substring(options.indexOf("\"content\": \"") + 12, options.indexOf('"', options.indexOf("\"content\": \"") + 12));
            ids.put(content, id);
            addedJson.add("{\"id\": " + id + ", " + options + "}");
        }
        Files.writeString(dir.resolve("tokenizer.json"), "{\"added_tokens\": [" + String.join(", ", addedJson) + "],"
                + " \"normalizer\": " + normalizer + ", \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\s+\"},"
                + " \"behavior\": \"Isolated\", \"invert\": false},"
                + " \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {" + vocab + "}}}");
        return HuggingFaceTokenizer.read(dir.resolve("tokenizer.json"));
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(cp -> out.append(cp < 0x80 && cp != '"' && cp != '\\' ? Character.toString(cp) : String.format("\\u%04x", cp)));
        return out.append('"').toString();
    }

    private int[] idsOf(String... pieces) {
        int[] out = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            out[i] = ids.get(pieces[i]);
        }
        return out;
    }

    @Test
    void plain_and_special_tokens_are_extracted_from_the_raw_text(@TempDir Path dir) throws Exception {
        // can_extract_added_tokens: [CLS] | " My " | name | " is Anthony " | [SEP]; "my" does not match "My"
        HuggingFaceTokenizer t = tokenizer(dir, "null", List.of("\"content\": \"my\"", "\"content\": \"name\"",
                "\"content\": \"[CLS]\", \"special\": true", "\"content\": \"[SEP]\", \"special\": true"), " ", "My", "is", "Anthony");
        assertArrayEquals(idsOf("[CLS]", " ", "My", " ", "name", " ", "is", " ", "Anthony", " ", "[SEP]"), t.encode("[CLS] My name is Anthony [SEP]", false, true));
    }

    @Test
    void lstrip_rstrip_single_word_and_normalized_as_options_use_cases(@TempDir Path dir) throws Exception {
        // [CLS] | " my " (both spaces swallowed, matched after lower-casing) | name | " is anthony " (no "ony":
        // single_word) | [SEP]
        HuggingFaceTokenizer t = tokenizer(dir, "{\"type\": \"Lowercase\"}", List.of(
                "\"content\": \"my\", \"lstrip\": true, \"rstrip\": true", "\"content\": \"name\"",
                "\"content\": \"ony\", \"single_word\": true",
                "\"content\": \"[CLS]\", \"special\": true", "\"content\": \"[SEP]\", \"special\": true"), " ", "is", "anthony");
        assertArrayEquals(idsOf("[CLS]", "my", "name", " ", "is", " ", "anthony", " ", "[SEP]"), t.encode("[CLS] My name is Anthony [SEP]", false, true));
    }

    @Test
    void a_single_word_token_touching_a_word_character_is_left_in_the_text(@TempDir Path dir) throws Exception {
        // test_single_word_is_correct: <mask> | " my name " | <mask> | " a<mask> <mask>ony " | <mask>
        HuggingFaceTokenizer t = tokenizer(dir, "{\"type\": \"Lowercase\"}", List.of("\"content\": \"<mask>\", \"single_word\": true"),
                " ", "my", "name", "a<mask>", "<mask>ony");
        assertArrayEquals(idsOf("<mask>", " ", "my", " ", "name", " ", "<mask>", " ", "a<mask>", " ", "<mask>ony", " ", "<mask>"),
                t.encode("<mask> My name <mask> A<mask> <mask>ony <mask>", false, true));
    }

    @Test
    void punctuation_is_no_word_character_but_a_combining_mark_is(@TempDir Path dir) throws Exception {
        // test_single_word_is_unicode_correct: <mask> | ", " | <mask> | "- ◌̰<mask>"
        HuggingFaceTokenizer t = tokenizer(dir, "{\"type\": \"Lowercase\"}", List.of("\"content\": \"<mask>\", \"single_word\": true"),
                " ", ",", "-", "\u25CC\u0330<mask>");
        assertArrayEquals(idsOf("<mask>", ",", " ", "<mask>", "-", " ", "\u25CC\u0330<mask>"), t.encode("<mask>, <mask>- \u25CC\u0330<mask>", false, true));
    }

    @Test
    void lstrip_and_rstrip_swallow_unicode_whitespace_but_not_twice(@TempDir Path dir) throws Exception {
        // test_lstrip_unicode_space: hi | " <mask> " | there | "\t<mask>\t" | "<mask>\u2000": the last one's tab went
        // to the token before it, so nothing is left between them
        HuggingFaceTokenizer t = tokenizer(dir, "{\"type\": \"Lowercase\"}",
                List.of("\"content\": \"<mask>\", \"lstrip\": true, \"rstrip\": true, \"single_word\": true"), "hi", "there");
        assertArrayEquals(idsOf("hi", "<mask>", "there", "<mask>", "<mask>"), t.encode("Hi <mask> there\t<mask>\t<mask>\u2000", false, true));
    }

    @Test
    void without_lstrip_and_rstrip_the_whitespace_around_a_token_stays_text(@TempDir Path dir) throws Exception {
        HuggingFaceTokenizer t = tokenizer(dir, "{\"type\": \"Lowercase\"}", List.of("\"content\": \"<mask>\""), "hi", "there", " ");
        assertArrayEquals(idsOf("hi", " ", "<mask>", " ", "there"), t.encode("Hi <mask> there", false, true));
    }
}
