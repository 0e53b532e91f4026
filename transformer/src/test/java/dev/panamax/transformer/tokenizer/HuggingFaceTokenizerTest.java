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
 * Reads the fixture {@code hf-bpe/tokenizer.json} (a Llama 3.1 style file: split, byte level, 18
 * vocabulary entries, 9 merges in pair form, 3 added tokens, a post-processor that adds BOS) and its
 * {@code tokenizer_config.json}.
 */
class HuggingFaceTokenizerTest {
    private static final int HELLO = 11;
    private static final int SPACE_WORLD = 16;
    private static final int BANG = 17;
    private static final int BEGIN = 18;
    private static final int END = 19;
    private static final int SEP = 20;

    private static Path fixture() throws URISyntaxException {
        return Path.of(HuggingFaceTokenizerTest.class.getResource("hf-bpe/tokenizer.json").toURI());
    }

    /** The fixture with {@code from} replaced by {@code to} in {@code file}, copied to {@code dir}. */
    private static Path edited(Path dir, String file, String from, String to) throws Exception {
        for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            String text = Files.readString(fixture().resolveSibling(name));
            if (name.equals(file)) {
                assertTrue(text.contains(from), from);
                text = text.replace(from, to);
            }
            Files.writeString(dir.resolve(name), text);
        }
        return dir.resolve("tokenizer.json");
    }

    @Test
    void whole_word_tokens_are_taken_directly_and_the_post_processor_adds_bos() throws Exception {
        Tokenizer tok = Tokenizer.fromHuggingFace(fixture());
        assertEquals(21, tok.vocabSize());
        assertEquals(BEGIN, tok.bos());
        assertEquals(END, tok.eos());
        assertArrayEquals(new int[] {BEGIN, HELLO, SPACE_WORLD, BANG}, tok.encode("Hello world!"));
        assertArrayEquals(new int[] {HELLO, SPACE_WORLD, BANG}, tok.encode("Hello world!", false, false));
        assertEquals("Hello world!", tok.decode(new int[] {BEGIN, HELLO, SPACE_WORLD, BANG}));
        assertEquals("<|begin_of_text|>Hello world!", tok.decode(new int[] {BEGIN, HELLO, SPACE_WORLD, BANG}, false));
    }

    @Test
    void without_a_template_no_bos_is_added_whatever_add_bos_token_says(@TempDir Path dir) throws Exception {
        Path file = edited(dir, "tokenizer.json", "{\"SpecialToken\": {\"id\": \"<|begin_of_text|>\", \"type_id\": 0}}, ", "");
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.read(file);
        assertArrayEquals(new int[] {HELLO, SPACE_WORLD, BANG}, tok.encode("Hello world!"));
        assertEquals(java.util.Optional.of(true), tok.addBosTokenFlag());
    }

    @Test
    void other_words_merge_by_rank() throws Exception {
        Tokenizer tok = Tokenizer.fromHuggingFace(fixture());
        // "Hellod": H+e (0), l+l (1), ll+o (2), He+llo (3) -> Hello, d
        // " wold" = "Ġwold": Ġ+w (4), then l+d (7) -> Ġw, o, ld
        assertArrayEquals(new int[] {HELLO, 7, 12, 3, 15}, tok.encode("Hellod wold", false, false));
    }

    @Test
    void added_tokens_are_control_when_special_and_user_defined_otherwise() throws Exception {
        Tokenizer tok = Tokenizer.fromHuggingFace(fixture());
        assertEquals(TokenType.CONTROL, tok.vocabulary().type(END));
        assertEquals(TokenType.USER_DEFINED, tok.vocabulary().type(SEP));
        assertArrayEquals(new int[] {HELLO, END}, tok.encode("Hello<|end_of_text|>", false, true));
        // the non-special <sep> is split off even without parsing specials; "world": o+r (5), l+d (7)
        assertArrayEquals(new int[] {HELLO, SEP, 5, 13, 15}, tok.encode("Hello<sep>world", false, false));
        assertTrue(tok.isEog(END));
        // non-special added tokens stay when decoding without specials
        assertEquals("Hello<sep>world", tok.decode(new int[] {HELLO, SEP, 5, 13, 15}));
    }

    @Test
    void a_pipe_token_that_is_not_special_is_user_defined(@TempDir Path dir) throws Exception {
        // Qwen's FIM markers look like control tokens but are "special": false
        Path file = edited(dir, "tokenizer.json", "{\"id\": 20, \"content\": \"<sep>\"", "{\"id\": 20, \"content\": \"<|fim_prefix|>\"");
        Tokenizer tok = Tokenizer.fromHuggingFace(file);
        assertEquals(TokenType.USER_DEFINED, tok.vocabulary().type(SEP));
        assertArrayEquals(new int[] {HELLO, SEP}, tok.encode("Hello<|fim_prefix|>", false, false));
        assertEquals("Hello<|fim_prefix|>", tok.decode(new int[] {HELLO, SEP}));
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

    @Test
    void a_huge_model_max_length_and_added_token_objects_are_read(@TempDir Path dir) throws Exception {
        Path file = edited(dir, "tokenizer_config.json", "\"model_max_length\": 8192",
                "\"model_max_length\": 1000000000000000019884624838656");
        assertEquals(END, Tokenizer.fromHuggingFace(file).eos());
    }

    @Test
    void a_chat_template_is_read_as_a_string_or_a_list_of_named_templates(@TempDir Path dir) throws Exception {
        Path one = edited(dir, "tokenizer_config.json", "\"model_max_length\": 8192",
                "\"model_max_length\": 8192, \"chat_template\": \"{{ messages }}\"");
        assertEquals(java.util.Optional.of("{{ messages }}"), HuggingFaceTokenizer.read(one).chatTemplate());
        Path many = edited(dir, "tokenizer_config.json", "\"model_max_length\": 8192",
                "\"model_max_length\": 8192, \"chat_template\": [{\"name\": \"default\", \"template\": \"A\"},"
                        + " {\"name\": \"tool_use\", \"template\": \"B\"}]");
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.read(many);
        assertEquals(java.util.Map.of("default", "A", "tool_use", "B"), tok.chatTemplates());
        assertEquals(java.util.Optional.of("A"), tok.chatTemplate());
        assertEquals("B", HuggingFaceTokenizer.readChatTemplates(dir.resolve("tokenizer_config.json")).get("tool_use"));
    }

    private static FormatException readBroken(Path dir, String file, String from, String to) throws Exception {
        Path edited = edited(dir, file, from, to);
        return assertThrows(FormatException.class, () -> HuggingFaceTokenizer.read(edited));
    }

    @Test
    void unsupported_or_malformed_files_name_the_field(@TempDir Path dir) throws Exception {
        assertEquals("model.type", readBroken(dir, "tokenizer.json", "\"type\": \"BPE\"", "\"type\": \"Unigram\"").field());
        assertEquals("pre_tokenizer.pretokenizers[0].behavior",
                readBroken(dir, "tokenizer.json", "\"Isolated\"", "\"Sideways\"").field());
        assertEquals("normalizer.type", readBroken(dir, "tokenizer.json", "\"normalizer\": null",
                "\"normalizer\": {\"type\": \"Precompiled\"}").field());
        assertEquals("decoder.type", readBroken(dir, "tokenizer.json", "\"decoder\": {\"type\": \"ByteLevel\"",
                "\"decoder\": {\"type\": \"CTC\"").field());
        assertEquals("model.vocab[\"H\"]", readBroken(dir, "tokenizer.json", "\"H\": 0", "\"H\": \"zero\"").field());
        assertEquals("model.merges[0]", readBroken(dir, "tokenizer.json", "[\"H\", \"e\"]", "[\"H\"]").field());
        assertEquals("model.merges[0]", readBroken(dir, "tokenizer.json", "[\"H\", \"e\"]", "[\"H\", \"x\"]").field());
        assertEquals("json", readBroken(dir, "tokenizer.json", "\"vocab\": {", "\"vocab\": {,").field());
        FormatException dropout = readBroken(dir, "tokenizer.json", "\"dropout\": null", "\"dropout\": 0.1");
        assertEquals("model.dropout", dropout.field());
        assertTrue(dropout.getMessage().contains("tokenizer.json"), dropout.getMessage());
    }

    @Test
    void token_ids_beyond_the_entries_of_the_file_are_rejected_not_allocated(@TempDir Path dir) throws Exception {
        // issue 20: 2147483647 gave ArrayIndexOutOfBoundsException, 10^9 exhausted the heap
        assertEquals("model.vocab[\"H\"]", readBroken(dir, "tokenizer.json", "\"H\": 0", "\"H\": 2147483647").field());
        assertEquals("model.vocab[\"H\"]", readBroken(dir, "tokenizer.json", "\"H\": 0", "\"H\": 1000000000").field());
        assertEquals("added_tokens[0].id", readBroken(dir, "tokenizer.json", "\"id\": 18,", "\"id\": 1500000000,").field());
        assertEquals("model.vocab[\"H\"]", readBroken(dir, "tokenizer.json", "\"H\": 0", "\"H\": 1").field()); // id twice
        // found by fuzzing: without its added tokens, the template's BOS id 18 lay beyond the 18 ids, an
        // IllegalArgumentException when decoding what encoding made
        assertEquals("post_processor.processors[1].special_tokens.<|begin_of_text|>.ids[0]",
                readBroken(dir, "tokenizer.json", "\"added_tokens\"", "\"no_added_tokens\"").field());
    }

    @Test
    void a_special_token_given_as_a_number_is_an_error_not_the_text_1(@TempDir Path dir) throws Exception {
        // issue 20: "bos_token": 1 was silently taken as the text "1"
        FormatException e = readBroken(dir, "tokenizer_config.json", "\"bos_token\": \"<|begin_of_text|>\"", "\"bos_token\": 1");
        assertEquals("bos_token", e.field());
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }

    @Test
    void a_missing_file_is_an_io_error(@TempDir Path dir) {
        assertThrows(java.io.UncheckedIOException.class, () -> HuggingFaceTokenizer.read(dir.resolve("nope.json")));
    }

    @Test
    void json_that_jackson_cannot_decode_is_a_format_exception_in_every_reader(@TempDir Path dir) throws Exception {
        // found by fuzzing: leading NULs make Jackson read UTF-32, and its CharConversionException was an
        // UncheckedIOException ("cannot read") in each reader of tokenizer_config.json and tokenizer.json
        byte[] text = "{\"bos_token\": \"<s>\", \"chat_template\": \"{{ bos_token }}\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bytes = new byte[54 + text.length];
        System.arraycopy(text, 0, bytes, 54, text.length);
        Path config = Files.write(dir.resolve("tokenizer_config.json"), bytes);
        assertThrows(FormatException.class, () -> HuggingFaceTokenizer.readChatTemplates(config));
        assertThrows(FormatException.class, () -> dev.panamax.transformer.chat.ModelChatTemplate.ofHuggingFace(dir));
        assertThrows(FormatException.class, () -> dev.panamax.transformer.chat.ModelChatTemplate.specialTokensOfHuggingFace(dir));
        Path tokenizer = Files.write(Files.createDirectory(dir.resolve("other")).resolve("tokenizer.json"), bytes);
        assertThrows(FormatException.class, () -> HuggingFaceTokenizer.read(tokenizer));
    }
}
