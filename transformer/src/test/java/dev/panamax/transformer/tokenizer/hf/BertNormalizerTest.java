package dev.panamax.transformer.tokenizer.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@code BertNormalizer} and {@code Lowercase} read from tokenizer.json. Expected texts: Hugging Face tokenizers'
 * Python binding tests {@code bindings/python/tests/bindings/test_normalizers.py} ({@code TestBertNormalizer}:
 * strip accents, handle Chinese chars, clean text, lowercase) and its Rust source
 * {@code tokenizers/src/normalizers/bert.rs} (order: clean, Chinese, accents, lower case; whitespace is
 * {@code char::is_whitespace}) and {@code NormalizedString::lowercase} (per character, {@code char::to_lowercase}).
 */
class BertNormalizerTest {
    private static String bert(boolean cleanText, boolean chinese, boolean stripAccents, boolean lowercase, String text) {
        return Steps.normalizer("{\"type\": \"BertNormalizer\", \"clean_text\": " + cleanText + ", \"handle_chinese_chars\": "
                + chinese + ", \"strip_accents\": " + stripAccents + ", \"lowercase\": " + lowercase + "}").normalize(text);
    }

    @Test
    void each_option_as_the_python_binding_tests() {
        assertEquals("Hello", bert(false, false, true, false, "Héllò"));
        assertEquals(" 你  好 ", bert(false, true, false, false, "你好"));
        assertEquals("Hello", bert(true, false, false, false, "\uFEFFHello"));
        assertEquals("héllò", bert(false, false, false, true, "Héllò"));
    }

    @Test
    void strip_accents_follows_lowercase_when_null() {
        JsonNode node = Steps.node("{\"type\": \"BertNormalizer\", \"strip_accents\": null}");
        assertEquals("hello", Normalizer.read(node).normalize("Héllò"));
        assertEquals("Héllò", Steps.normalizer("{\"type\": \"BertNormalizer\", \"lowercase\": false}").normalize("Héllò"));
    }

    @Test
    void clean_text_drops_controls_and_makes_every_whitespace_a_space() {
        // NUL, U+FFFD, a BEL and a soft hyphen (Cf) go; tab, LF, U+2028 and U+3000 become spaces; VT is a control
        assertEquals("a b c d e", bert(true, false, false, false, "a\u0000\uFFFD\u0007\u00AD\tb\nc\u2028d\u3000e"));
        assertEquals("ab", bert(true, false, false, false, "a\u000Bb"));
        assertEquals("a b", bert(true, false, false, false, "a\u2029b"));
    }

    @Test
    void lowercasing_is_per_character_so_a_final_sigma_stays_sigma() {
        // Rust's char::to_lowercase has no context (Java's String.toLowerCase and JavaScript's write ς at a word end)
        assertEquals("οδοσ", bert(false, false, false, true, "ΟΔΟΣ"));
        assertEquals("οδοσ", Steps.normalizer("{\"type\": \"Lowercase\"}").normalize("ΟΔΟΣ"));
        assertEquals("i\u0307", Steps.normalizer("{\"type\": \"Lowercase\"}").normalize("\u0130"));
        // accents go before lower-casing: İ is I + U+0307 in NFD, so it becomes a plain i
        assertEquals("i", bert(false, false, true, true, "\u0130"));
    }
}
