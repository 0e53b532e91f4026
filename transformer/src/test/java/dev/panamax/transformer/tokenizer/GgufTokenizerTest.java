package dev.panamax.transformer.tokenizer;

import static dev.panamax.transformer.tokenizer.Vocabs.SPM_FIRST_NORMAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.transformer.tokenizer.Vocabs.Piece;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizers read from GGUF metadata written by the project's GGUF writer. */
class GgufTokenizerTest {
    @TempDir
    Path dir;

    /** A small SentencePiece vocabulary as GGUF metadata, changed by {@code edit}. */
    private Tokenizer roundTrip(Consumer<GgufWriter> edit) throws Exception {
        TokenizerConfig c = Vocabs.spm(new Piece("▁", -10), new Piece("a", -10), new Piece("aa", -1)).build();
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", c.tokens());
        w.putFloat32Array("tokenizer.ggml.scores", c.scores());
        w.putInt32Array("tokenizer.ggml.token_type", c.tokenTypes());
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
        edit.accept(w);
        Path file = dir.resolve("vocab.gguf");
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            return Tokenizer.fromGguf(gguf.metadata());
        }
    }

    @Test
    void a_vocabulary_written_to_gguf_tokenizes_as_the_same_vocabulary_in_memory() throws Exception {
        Tokenizer tok = roundTrip(w -> { });
        // "▁aaa": the leftmost a|a merges first (see SpmTokenizerTest)
        assertArrayEquals(new int[] {1, SPM_FIRST_NORMAL, SPM_FIRST_NORMAL + 2, SPM_FIRST_NORMAL + 1}, tok.encode("aaa"));
        assertEquals(TokenType.BYTE, tok.vocabulary().type(3));
    }

    @Test
    void add_bos_and_add_space_prefix_flags_are_read() throws Exception {
        Tokenizer tok = roundTrip(w -> w.putBool("tokenizer.ggml.add_bos_token", false)
                .putBool("tokenizer.ggml.add_space_prefix", false));
        assertArrayEquals(new int[] {SPM_FIRST_NORMAL + 2}, tok.encode("aa"));
    }

    @Test
    void inconsistent_tokenizer_metadata_names_the_key() throws Exception {
        FormatException scores = assertThrows(FormatException.class,
                () -> roundTrip(w -> w.putFloat32Array("tokenizer.ggml.scores", new float[] {1f, 2f})));
        assertTrue(scores.field().contains("tokenizer.ggml.scores"), scores.getMessage());
        FormatException bos = assertThrows(FormatException.class,
                () -> roundTrip(w -> w.putUInt32("tokenizer.ggml.bos_token_id", 100000)));
        assertTrue(bos.field().contains("tokenizer.ggml.bos_token_id"), bos.getMessage());
        FormatException model = assertThrows(FormatException.class,
                () -> roundTrip(w -> w.putString("tokenizer.ggml.model", "t5")));
        assertEquals("t5", model.value());
        FormatException merges = assertThrows(FormatException.class,
                () -> roundTrip(w -> w.putString("tokenizer.ggml.model", "gpt2")));
        assertTrue(merges.field().contains("tokenizer.ggml.merges"), merges.getMessage());
        FormatException pre = assertThrows(FormatException.class, () -> roundTrip(w -> w
                .putString("tokenizer.ggml.model", "gpt2").putStringArray("tokenizer.ggml.merges", java.util.List.of())
                .putString("tokenizer.ggml.pre", "tekken")));
        assertEquals("tekken", pre.value());
        FormatException missing = assertThrows(FormatException.class,
                () -> roundTrip(w -> w.remove("tokenizer.ggml.tokens")));
        assertTrue(missing.field().contains("tokenizer.ggml.tokens"), missing.getMessage());
        // found by fuzzing: a WordPiece vocabulary without an unknown token failed on the first word it could
        // not cover (IllegalStateException); it needs one, named by id or as [UNK]
        FormatException unknown = assertThrows(FormatException.class, () -> roundTrip(w -> w.putString("tokenizer.ggml.model", "bert")));
        assertEquals("metadata[\"tokenizer.ggml.unknown_token_id\"]", unknown.field());
        // found by fuzzing: add_eos_token with no EOS id failed every encode with special tokens (IllegalStateException)
        FormatException eos = assertThrows(FormatException.class, () -> roundTrip(w -> w.putBool("tokenizer.ggml.add_eos_token", true)
                .putInt32("tokenizer.ggml.eos_token_id", -1)));
        assertEquals("metadata[\"tokenizer.ggml.add_eos_token\"]", eos.field());
    }

    @Test
    void token_ids_stored_as_llama_cpp_none_are_absent() throws Exception {
        // issue 20: 0xFFFFFFFF / -1 ("no token") made generate fail although inspect shows them as absent
        Tokenizer unsigned = roundTrip(w -> w.putUInt32("tokenizer.ggml.eos_token_id", 0xFFFFFFFFL)
                .putUInt32("tokenizer.ggml.unknown_token_id", 0xFFFFFFFFL));
        assertEquals(-1, unsigned.eos());
        assertEquals(-1, unsigned.vocabulary().unknown());
        Tokenizer signed = roundTrip(w -> w.remove("tokenizer.ggml.bos_token_id").putInt32("tokenizer.ggml.bos_token_id", -1)
                .putBool("tokenizer.ggml.add_bos_token", false));
        assertEquals(-1, signed.bos());
        assertArrayEquals(new int[] {SPM_FIRST_NORMAL, SPM_FIRST_NORMAL + 2}, signed.encode("aa", true, false));
    }

    @Test
    void a_byte_token_not_written_with_two_hex_digits_names_the_token() throws Exception {
        // issue 20: <0xZZ> gave NumberFormatException at decode time, <0x+F> and <0x-1> were taken as bytes
        for (String bad : new String[] {"<0xZZ>", "<0x+F>", "<0x-1>", "<0x٣٣>"}) {
            FormatException e = assertThrows(FormatException.class, () -> roundTrip(w -> {
                java.util.List<String> tokens = new java.util.ArrayList<>(Vocabs.spm(new Piece("▁", -10), new Piece("a", -10),
                        new Piece("aa", -1)).build().tokens());
                tokens.set(3 + 0x0F, bad);
                w.putStringArray("tokenizer.ggml.tokens", tokens);
            }), bad);
            assertEquals("metadata[\"tokenizer.ggml.tokens\"][18]", e.field(), bad);
            assertEquals(bad, e.value());
        }
    }
}
