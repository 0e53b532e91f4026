package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.formats.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BERT-style tokenizer.json: BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing
 * {@code [CLS] $A [SEP]} and the WordPiece decoder. Expected ids follow Hugging Face tokenizers'
 * {@code WordPiece::tokenize} ({@code tokenizers/src/models/wordpiece/mod.rs}, commit 3ba8ad00): greedy
 * longest match from the left, pieces after the first looked up with {@code continuing_subword_prefix},
 * a word with an uncoverable rest or more than {@code max_input_chars_per_word} characters one unknown
 * token; "unaffable" as un ##aff ##able is the example of BERT's and Hugging Face's documentation.
 */
class WordPieceTokenizerJsonTest {
    private static final int UNK = 1, CLS = 2, SEP = 3, UN = 4, AFF = 5, ABLE = 6, HELLO = 7, BANG = 8, RUNN = 9, ING = 10, RUN = 11;
    private static final String VOCAB = "{\"[PAD]\": 0, \"[UNK]\": 1, \"[CLS]\": 2, \"[SEP]\": 3, \"un\": 4, \"##aff\": 5,"
            + " \"##able\": 6, \"hello\": 7, \"!\": 8, \"runn\": 9, \"##ing\": 10, \"run\": 11, \"##n\": 12}";

    /** The tokenizer.json, with {@code model} options added to WordPiece's and every {@code ##} written as {@code prefix}. */
    private static HuggingFaceTokenizer bert(Path dir, String prefix, String model) throws Exception {
        String json = """
                {"added_tokens": [
                   {"id": 0, "content": "[PAD]", "special": true}, {"id": 1, "content": "[UNK]", "special": true},
                   {"id": 2, "content": "[CLS]", "special": true}, {"id": 3, "content": "[SEP]", "special": true}],
                 "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                                "strip_accents": null, "lowercase": true},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                              {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                   "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                                      "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
                 "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##" MODEL, "vocab": VOCAB}}
                """.replace("MODEL", model).replace("VOCAB", VOCAB).replace("##", prefix);
        Files.writeString(dir.resolve("tokenizer.json"), json);
        return HuggingFaceTokenizer.read(dir.resolve("tokenizer.json"));
    }

    @Test
    void words_are_cut_greedily_into_the_longest_pieces_and_wrapped_in_cls_and_sep(@TempDir Path dir) throws Exception {
        HuggingFaceTokenizer t = bert(dir, "##", "");
        // lower-cased and accent-stripped, split at spaces and around "!"
        assertArrayEquals(new int[] {CLS, UN, AFF, ABLE, HELLO, BANG, SEP}, t.encode("UnAffable  Héllo!"));
        assertArrayEquals(new int[] {UN, AFF, ABLE}, t.encode("unaffable", false, false));
        // the longest first piece wins even where a shorter one would cover the word too (run + ##n + ##ing)
        assertArrayEquals(new int[] {RUNN, ING}, t.encode("running", false, false));
        assertEquals("[CLS] unaffable hello! [SEP]", t.decode(t.encode("UnAffable  Héllo!"), false));
        assertEquals("unaffable hello!", t.decode(t.encode("UnAffable  Héllo!"), true));
    }

    @Test
    void a_word_with_an_uncoverable_rest_is_one_unknown_token(@TempDir Path dir) throws Exception {
        HuggingFaceTokenizer t = bert(dir, "##", "");
        // run covers "run", but "x" has no ##x: the whole word, not run + [UNK]
        assertArrayEquals(new int[] {UNK, HELLO}, t.encode("runx hello", false, false));
        // CJK ideographs are words of their own; neither is in the vocabulary
        assertArrayEquals(new int[] {UNK, UNK, RUN}, t.encode("你好run", false, false));
    }

    @Test
    void a_word_longer_than_max_input_chars_per_word_is_unknown(@TempDir Path dir) throws Exception {
        HuggingFaceTokenizer t = bert(dir, "##", ", \"max_input_chars_per_word\": 5");
        assertArrayEquals(new int[] {HELLO, UNK, RUN}, t.encode("hello running run", false, false));
    }

    @Test
    void the_continuing_subword_prefix_is_the_files(@TempDir Path dir) throws Exception {
        HuggingFaceTokenizer t = bert(dir, "@@", "");
        assertArrayEquals(new int[] {UN, AFF, ABLE, RUNN, ING}, t.encode("unaffable running", false, false));
        assertEquals("unaffable running", t.decode(new int[] {UN, AFF, ABLE, RUNN, ING}, true));
    }

    @Test
    void a_wordpiece_model_without_its_unknown_token_is_refused(@TempDir Path dir) throws Exception {
        FormatException e = assertThrows(FormatException.class, () -> bert(dir, "##", ", \"unk_token\": \"[MISSING]\""));
        assertEquals("model.unk_token", e.field());
    }
}
