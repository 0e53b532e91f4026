package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tokenizer.json regex that backtracks catastrophically fails fast, naming the file and the field,
 * instead of hanging the encoder (issue 20); well-behaved patterns on long texts are not affected.
 */
class RegexBudgetTest {
    /** A WordPiece tokenizer whose only pre-tokenizer or normalizer is {@code step}; the vocabulary is a, b, [UNK]. */
    private static HuggingFaceTokenizer tokenizer(Path dir, String section, String step) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"" + section + "\": " + step + ", \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\","
                + " \"vocab\": {\"[UNK]\": 0, \"a\": 1, \"b\": 2, \"##a\": 3, \"##b\": 4}}}");
        return HuggingFaceTokenizer.read(file);
    }

    @Test
    void a_split_regex_with_nested_repetition_fails_fast_on_a_hostile_text(@TempDir Path dir) throws Exception {
        // (a{1,2}){1,40}b on a^40 c tries every way to cut the a's into ones and twos before failing: a
        // minute without the bound on this machine (java.util.regex memoizes (a+)+b, not counted repetition)
        HuggingFaceTokenizer t = tokenizer(dir, "pre_tokenizer",
                "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(a{1,2}){1,40}b\"}, \"behavior\": \"Isolated\", \"invert\": false}");
        assertArrayEquals(new int[] {1, 4}, t.encode("ab", false, false));
        String hostile = "a".repeat(40) + "c";
        FormatException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(FormatException.class, () -> t.encode(hostile, false, false)));
        assertEquals(dir.resolve("tokenizer.json"), e.file());
        assertEquals("pre_tokenizer.pattern.Regex", e.field());
        assertTrue(e.getMessage().contains("backtracks too much"), e.getMessage());
    }

    @Test
    void a_replace_regex_is_bounded_too(@TempDir Path dir) throws Exception {
        // polynomial rather than exponential: about n^6 / 720 steps, 20 s for n = 80 without the bound
        HuggingFaceTokenizer t = tokenizer(dir, "normalizer",
                "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"a*a*a*a*a*b\"}, \"content\": \"b\"}");
        assertArrayEquals(new int[] {2}, t.encode("aab", false, false));
        FormatException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(FormatException.class, () -> t.encode("a".repeat(80) + "c", false, false)));
        assertEquals("normalizer.pattern.Regex", e.field());
    }

    @Test
    void a_linear_pattern_encodes_a_long_text(@TempDir Path dir) throws Exception {
        // GPT-2's pattern: 14 character reads per character at most on the shared corpus, far below the budget
        HuggingFaceTokenizer t = tokenizer(dir, "pre_tokenizer", "{\"type\": \"Sequence\", \"pretokenizers\": ["
                + "{\"type\": \"Split\", \"pattern\": {\"Regex\": "
                + "\"'s|'t|'re|'ve|'m|'ll|'d| ?\\\\p{L}+| ?\\\\p{N}+| ?[^\\\\s\\\\p{L}\\\\p{N}]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
                + " \"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"WhitespaceSplit\"}]}");
        String text = "ab ".repeat(100_000) + " ".repeat(100_000) + "b";
        int[] ids = t.encode(text, false, false);
        assertEquals(200_001, ids.length); // "ab" x 1e5 (a, ##b), the spaces, then b
        assertArrayEquals(new int[] {1, 4, 1, 4}, java.util.Arrays.copyOf(ids, 4));
        assertEquals(2, ids[200_000]);
    }
}
