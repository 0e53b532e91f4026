package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the fixture {@code hf-bpe/tokenizer.json} (a Llama 3 style split, 18 vocabulary entries, 9
 * merges in pair form, 3 added tokens) and its {@code tokenizer_config.json}.
 */
class HuggingFaceTokenizerJsonTest {
    private static final int HELLO = 11;
    private static final int SPACE_WORLD = 16;
    private static final int BANG = 17;
    private static final int BEGIN = 18;
    private static final int END = 19;
    private static final int SEP = 20;

    private static Path fixture() throws URISyntaxException {
        return Path.of(HuggingFaceTokenizerJsonTest.class.getResource("hf-bpe/tokenizer.json").toURI());
    }

    @Test
    void whole_word_tokens_are_taken_directly_and_bos_comes_from_the_config() throws Exception {
        Tokenizer tok = Tokenizer.fromHuggingFace(fixture());
        assertEquals(21, tok.vocabSize());
        assertEquals(BEGIN, tok.bos());
        assertEquals(END, tok.eos());
        // "Hello", " world" and "!" are vocabulary entries; add_bos_token puts BOS first
        assertArrayEquals(new int[] {BEGIN, HELLO, SPACE_WORLD, BANG}, tok.encode("Hello world!"));
        assertEquals("Hello world!", tok.decode(new int[] {BEGIN, HELLO, SPACE_WORLD, BANG}));
    }

    @Test
    void other_words_merge_by_rank() throws Exception {
        Tokenizer tok = Tokenizer.fromHuggingFace(fixture());
        // "Hellod": H+e (0), l+l (1), ll+o (2), He+llo (3) -> Hello, d
        // " wold" = "Ġwold": Ġ+w (4), then l+d (7) -> Ġw, o, ld
        assertArrayEquals(new int[] {HELLO, 7, 12, 3, 15}, tok.encode("Hellod wold", false, false));
    }

    @Test
    void added_tokens_become_control_or_user_defined_tokens() throws Exception {
        Tokenizer tok = Tokenizer.fromHuggingFace(fixture());
        assertEquals(TokenType.CONTROL, tok.vocabulary().type(END));
        assertEquals(TokenType.USER_DEFINED, tok.vocabulary().type(SEP));
        assertArrayEquals(new int[] {HELLO, END}, tok.encode("Hello<|end_of_text|>", false, true));
        // the user-defined <sep> is split off even without parsing specials; "world": o+r (5), l+d (7)
        assertArrayEquals(new int[] {HELLO, SEP, 5, 13, 15}, tok.encode("Hello<sep>world", false, false));
        assertTrue(tok.isEog(END));
    }

    @Test
    void merges_written_as_strings_read_like_pairs(@TempDir Path dir) throws Exception {
        String json = Files.readString(fixture()).replaceAll("\\[\"([^\"]+)\", \"([^\"]+)\"\\]", "\"$1 $2\"");
        assertTrue(json.contains("\"H e\""));
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json);
        Tokenizer tok = Tokenizer.fromHuggingFace(file);
        assertArrayEquals(new int[] {HELLO, 7, 12, 3, 15}, tok.encode("Hellod wold", false, false));
        assertEquals(-1, tok.bos()); // no tokenizer_config.json here
    }

    private static FormatException readBroken(Path dir, String from, String to) throws Exception {
        String json = Files.readString(fixture());
        assertTrue(json.contains(from), from);
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json.replace(from, to));
        return assertThrows(FormatException.class, () -> HuggingFaceTokenizerJson.read(file));
    }

    @Test
    void unsupported_or_malformed_files_name_the_field(@TempDir Path dir) throws Exception {
        assertEquals("model.type", readBroken(dir, "\"type\": \"BPE\"", "\"type\": \"Unigram\"").field());
        assertEquals("pre_tokenizer.pretokenizers[0].pattern.Regex",
                readBroken(dir, "\\\\p{N}{1,3}", "\\\\p{N}{1,2}").field());
        assertEquals("model.vocab[\"H\"]", readBroken(dir, "\"H\": 0", "\"H\": \"zero\"").field());
        assertEquals("model.merges[0]", readBroken(dir, "[\"H\", \"e\"]", "[\"H\"]").field());
        assertEquals("json", readBroken(dir, "\"vocab\": {", "\"vocab\": {,").field());
        FormatException byteFallback = readBroken(dir, "\"byte_fallback\": false", "\"byte_fallback\": true");
        assertEquals("model.byte_fallback", byteFallback.field());
        assertTrue(byteFallback.getMessage().contains("tokenizer.json"), byteFallback.getMessage());
    }

    @Test
    void a_missing_file_is_an_io_error(@TempDir Path dir) {
        assertThrows(java.io.UncheckedIOException.class, () -> HuggingFaceTokenizerJson.read(dir.resolve("nope.json")));
    }

}
