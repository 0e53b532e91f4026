package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.testing.Models;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The acceptance test: llama.cpp's own tokenizer test vectors ({@code models/ggml-vocab-*.gguf.inp/.out},
 * see MODELS.md section 4). Each of the 46 strings must tokenize to exactly llama.cpp's ids, without
 * BOS and without parsing special tokens, and decode back to itself.
 */
class LlamaCppVocabTest {
    /** Every vocabulary whose pre-tokenizer this package implements (bert-bge is WordPiece: not supported). */
    private static final List<String> VOCABS = List.of("llama-spm", "phi-3", "gpt-2", "deepseek-llm",
            "deepseek-coder", "falcon", "mpt", "refact", "starcoder");
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final int CASES = 46;
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicContainer> every_case_matches_llama_cpp() {
        return VOCABS.stream().map(vocab -> DynamicContainer.dynamicContainer(vocab,
                IntStream.range(0, CASES).mapToObj(i -> DynamicTest.dynamicTest("case " + i, () -> {
                    Case c = cases(vocab).get(i);
                    int[] actual = tokenizer(vocab).encode(c.text, false, false);
                    assertArrayEquals(c.expected, actual, () -> vocab + " case " + i + " '" + c.text + "': expected "
                            + Arrays.toString(c.expected) + " got " + Arrays.toString(actual));
                }))));
    }

    @TestFactory
    Stream<DynamicContainer> every_case_decodes_back_to_its_text() {
        return VOCABS.stream().map(vocab -> DynamicContainer.dynamicContainer(vocab,
                IntStream.range(0, CASES).mapToObj(i -> DynamicTest.dynamicTest("case " + i, () -> {
                    Case c = cases(vocab).get(i);
                    Tokenizer tok = tokenizer(vocab);
                    assertEquals(c.text, tok.decode(c.expected), () -> vocab + " case " + i + ": llama.cpp's ids");
                    assertEquals(c.text, tok.decode(tok.encode(c.text, false, false)), () -> vocab + " case " + i);
                }))));
    }

    record Case(String text, int[] expected) {
    }

    static Tokenizer tokenizer(String vocab) {
        Path file = Models.require("vocab/ggml-vocab-" + vocab + ".gguf");
        return TOKENIZERS.computeIfAbsent(vocab, v -> {
            try {
                return GgufVocabFiles.tokenizer(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static List<Case> cases(String vocab) throws IOException {
        Path inp = Models.require("vocab/ggml-vocab-" + vocab + ".gguf.inp");
        Path out = Models.require("vocab/ggml-vocab-" + vocab + ".gguf.out");
        String all = Files.readString(inp, StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(all.split(SEPARATOR, -1)));
        texts.removeLast(); // the file ends with the separator
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(CASES, texts.size(), "strings in " + inp);
        assertEquals(CASES, lines.size(), "lines in " + out);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            String line = lines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(texts.get(i), ids));
        }
        return cases;
    }
}
