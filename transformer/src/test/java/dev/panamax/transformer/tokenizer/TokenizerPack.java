package dev.panamax.transformer.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.panamax.formats.JsonTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * The tokenizer test pack of {@code ../shared/tokenizers} (real tokenizer.json files and transformers.js's
 * outputs; see its README). The directory comes from {@code -Dpanamax.tokenizers}, else
 * {@code PANAMAX_TOKENIZERS}, else {@code ../shared/tokenizers} beside the checkout; tests that need it
 * skip with a message when it is absent. Tokenizers are unpacked once per JVM into a temporary folder.
 */
public final class TokenizerPack {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<String, HuggingFaceTokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static Path unpacked;

    private TokenizerPack() {
    }

    static Optional<Path> directory() {
        for (String candidate : new String[] {System.getProperty("panamax.tokenizers"), System.getenv("PANAMAX_TOKENIZERS"),
                "../../shared/tokenizers", "../shared/tokenizers"}) {
            if (candidate != null && Files.isRegularFile(Path.of(candidate, "dev-corpus.jsonl"))) {
                return Optional.of(Path.of(candidate).toAbsolutePath().normalize());
            }
        }
        return Optional.empty();
    }

    static Path require() {
        Optional<Path> dir = directory();
        Assumptions.assumeTrue(dir.isPresent(), "tokenizer test pack not found: set -Dpanamax.tokenizers or "
                + "PANAMAX_TOKENIZERS to the shared/tokenizers directory; skipping");
        return dir.get();
    }

    /**
     * The tokenizer of folder {@code name} (gunzipped beside its config in a temporary folder); skips the test without the pack.
     *
     * @param name a folder of the pack, e.g. {@code qwen3}
     * @return its tokenizer
     */
    public static HuggingFaceTokenizer tokenizer(String name) {
        Path pack = require();
        return TOKENIZERS.computeIfAbsent(name, n -> HuggingFaceTokenizer.read(unpack(pack, n)));
    }

    /** The folder {@code name} with its tokenizer.json uncompressed, in a temporary folder; returns that tokenizer.json. */
    static synchronized Path unpack(Path pack, String name) {
        try {
            if (unpacked == null) {
                unpacked = Files.createTempDirectory("panamax-tokenizers");
                unpacked.toFile().deleteOnExit();
            }
            Path dir = Files.createDirectories(unpacked.resolve(name));
            Path json = dir.resolve("tokenizer.json");
            if (!Files.exists(json)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(pack.resolve(name).resolve("tokenizer.json.gz")))) {
                    Files.copy(in, json);
                }
                Files.copy(pack.resolve(name).resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"),
                        StandardCopyOption.REPLACE_EXISTING);
                json.toFile().deleteOnExit();
                dir.resolve("tokenizer_config.json").toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
            }
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON objects of a JSON-lines file, one per line. */
    static List<Map<?, ?>> jsonLines(Path file) {
        try {
            List<Map<?, ?>> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try (JsonParser p = JSON.createParser(line)) {
                    p.nextToken();
                    out.add((Map<?, ?>) JsonTree.read(p));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ids(Object list) {
        return ((List<?>) list).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }
}
