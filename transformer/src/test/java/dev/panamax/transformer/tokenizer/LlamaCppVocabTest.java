package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
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
 * BOS and without parsing special tokens, and decode back to itself. Subclasses name the vocabularies
 * (split in two classes to keep each short).
 */
abstract class LlamaCppVocabTest {
    /** A GGUF file to tokenize with, and the name of the llama.cpp vectors it must reproduce. */
    record Vocab(String name, String file, String vectors) {
        /** One of llama.cpp's vocab-only files with its own vectors. */
        static Vocab of(String name) {
            return new Vocab(name, "vocab/ggml-vocab-" + name + ".gguf", name);
        }
    }

    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final int CASES = 46;
    /** The index of the case "Hello" in the vectors. */
    static final int HELLO_CASE = 23;
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private final List<Vocab> vocabs;

    LlamaCppVocabTest(Vocab... vocabs) {
        this.vocabs = List.of(vocabs);
    }

    @TestFactory
    Stream<DynamicContainer> every_case_matches_llama_cpp() {
        return vocabs.stream().map(vocab -> DynamicContainer.dynamicContainer(vocab.name(),
                IntStream.range(0, CASES).mapToObj(i -> DynamicTest.dynamicTest("case " + i, () -> {
                    Case c = cases(vocab).get(i);
                    int[] actual = tokenizer(vocab).encode(c.text, false, false);
                    assertArrayEquals(c.expected, actual, () -> vocab.name() + " case " + i + " '" + c.text
                            + "': expected " + Arrays.toString(c.expected) + " got " + Arrays.toString(actual));
                }))));
    }

    @TestFactory
    Stream<DynamicContainer> every_case_decodes_back_to_its_text() {
        return vocabs.stream().map(vocab -> DynamicContainer.dynamicContainer(vocab.name(),
                IntStream.range(0, CASES).mapToObj(i -> DynamicTest.dynamicTest("case " + i, () -> {
                    Case c = cases(vocab).get(i);
                    Tokenizer tok = tokenizer(vocab);
                    assertEquals(c.text, tok.decode(c.expected), () -> vocab.name() + " case " + i + ": llama.cpp's ids");
                    assertEquals(c.text, tok.decode(tok.encode(c.text, false, false)), () -> vocab.name() + " case " + i);
                }))));
    }

    @TestFactory
    Stream<DynamicTest> written_out_eos_is_one_token_only_when_parsing_specials() {
        return vocabs.stream().map(vocab -> DynamicTest.dynamicTest(vocab.name(), () -> {
            Tokenizer tok = tokenizer(vocab);
            int[] hello = cases(vocab).get(HELLO_CASE).expected;
            String eos = tok.vocabulary().text(tok.eos());
            assertEquals(TokenType.CONTROL, tok.vocabulary().type(tok.eos()), eos);
            assertTrue(tok.isEog(tok.eos()), eos);
            int[] parsed = tok.encode("Hello" + eos, false, true);
            assertArrayEquals(concat(hello, tok.eos()), parsed, () -> "Hello" + eos + " -> " + Arrays.toString(parsed));
            int[] plain = tok.encode("Hello" + eos, false, false);
            assertTrue(Arrays.stream(plain).noneMatch(id -> id == tok.eos()), () -> Arrays.toString(plain));
            assertEquals("Hello" + eos, tok.decode(plain));
            assertEquals("Hello", tok.decode(parsed));
        }));
    }

    private static int[] concat(int[] a, int b) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    record Case(String text, int[] expected) {
    }

    static Tokenizer tokenizer(Vocab vocab) {
        Path file = Models.require(vocab.file());
        return TOKENIZERS.computeIfAbsent(vocab.file(), v -> {
            try (GgufFile gguf = GgufFile.open(file)) {
                return Tokenizer.fromGguf(gguf.metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static List<Case> cases(Vocab vocab) throws IOException {
        Path inp = Models.require("vocab/ggml-vocab-" + vocab.vectors() + ".gguf.inp");
        Path out = Models.require("vocab/ggml-vocab-" + vocab.vectors() + ".gguf.out");
        String all = Files.readString(inp, StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(all.split(SEPARATOR, -1)));
        texts.removeLast(); // the file ends with the separator
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(CASES, texts.size(), "strings in " + inp);
        assertEquals(CASES, lines.size(), "lines in " + out);
        assertEquals("Hello", texts.get(HELLO_CASE));
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            String line = lines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(texts.get(i), ids));
        }
        return cases;
    }
}
