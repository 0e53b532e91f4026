package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The acceptance test of the tokenizer.json path: for each real tokenizer of the test pack and each of
 * the 333 corpus strings, Panamax gives exactly transformers.js's ids without and with special tokens
 * and its decodings with and without skipping special tokens. Also the extra strings of
 * {@code hf-corpus-extra.jsonl} (expected values made with transformers.js 4.3.2 as well).
 */
class HuggingFaceCorpusTest {
    static final List<String> NAMES = List.of("llama3", "qwen3", "deepseek_v3", "gemma3", "gptoss", "mistral_7b", "mistral_nemo");

    @TestFactory
    Stream<DynamicTest> every_corpus_line_matches_transformers_js() {
        return NAMES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path pack = TokenizerPack.require();
            check(name, TokenizerPack.jsonLines(pack.resolve("expected-" + name + ".jsonl")));
        }));
    }

    @TestFactory
    Stream<DynamicTest> every_extra_line_matches_transformers_js() throws Exception {
        Path extra = Path.of(HuggingFaceCorpusTest.class.getResource("hf-corpus-extra.jsonl").toURI());
        List<Map<?, ?>> all = TokenizerPack.jsonLines(extra);
        return NAMES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            TokenizerPack.require();
            check(name, all.stream().filter(line -> name.equals(line.get("tokenizer"))).toList());
        }));
    }

    private static void check(String name, List<Map<?, ?>> lines) {
        HuggingFaceTokenizer tok = TokenizerPack.tokenizer(name);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Map<?, ?> line = lines.get(i);
            String text = (String) line.get("text");
            int[] plain = tok.encode(text, false, true);
            int[] special = tok.encode(text, true, true);
            compare(failures, i, text, "ids_plain", Arrays.toString(TokenizerPack.ids(line.get("ids_plain"))), Arrays.toString(plain));
            compare(failures, i, text, "ids_special", Arrays.toString(TokenizerPack.ids(line.get("ids_special"))), Arrays.toString(special));
            int[] expectedSpecial = TokenizerPack.ids(line.get("ids_special"));
            compare(failures, i, text, "decoded", (String) line.get("decoded"), tok.decode(expectedSpecial, false));
            compare(failures, i, text, "decoded_skip", (String) line.get("decoded_skip"), tok.decode(expectedSpecial, true));
        }
        assertTrue(failures.isEmpty(), () -> name + ": " + failures.size() + " mismatches of " + lines.size() * 4 + ":\n"
                + String.join("\n", failures.subList(0, Math.min(12, failures.size()))));
    }

    private static void compare(List<String> failures, int line, String text, String field, String expected, String actual) {
        if (!expected.equals(actual)) {
            failures.add("line " + line + " " + field + " " + escape(text) + "\n   expected " + escape(expected) + "\n   actual   " + escape(actual));
        }
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.length() > 300 ? b.substring(0, 300) + "..." : b.toString();
    }
}
