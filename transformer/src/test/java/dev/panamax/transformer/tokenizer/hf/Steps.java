package dev.panamax.transformer.tokenizer.hf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.panamax.formats.JsonTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Pre-tokenizers and normalizers read from a tokenizer.json section written in a test. */
final class Steps {
    private static final JsonFactory JSON = new JsonFactory();

    private Steps() {
    }

    static JsonNode node(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return JsonNode.root(Path.of("test-tokenizer.json"), JsonTree.read(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PreTokenizerStep preTokenizer(String json) {
        return PreTokenizerStep.read(node(json));
    }

    static Normalizer normalizer(String json) {
        return Normalizer.read(node(json));
    }

    /** The words {@code step} cuts {@code text} into, as the first section of a text. */
    static List<String> words(PreTokenizerStep step, String text) {
        List<String> out = new ArrayList<>();
        step.split(text, true, out);
        return out;
    }
}
