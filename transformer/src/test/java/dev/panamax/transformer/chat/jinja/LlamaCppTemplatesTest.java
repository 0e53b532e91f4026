package dev.panamax.transformer.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.transformer.chat.TestJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The 70 real model templates llama.cpp keeps ({@code models/templates/*.jinja}: Llama 3.x, Qwen 2.5/3,
 * DeepSeek R1/V3, gpt-oss, Gemma, Granite, Mistral, Command R, Kimi, GLM, functionary, Hermes, ...) render
 * every conversation of {@code conversations.json} as Python Jinja renders them in Hugging Face's
 * environment ({@code llamacpp-templates-python.jsonl.gz}, made by {@code make_expected_llamacpp.py},
 * date fixed). Skipped when llama.cpp's source is absent ({@code -Dpanamax.llamacpp.src} or
 * {@code PANAMAX_LLAMACPP_SRC}); a template whose bytes changed is skipped by its hash.
 */
class LlamaCppTemplatesTest {
    /** Python turns {@code "..."|safe + text} into escaped markup ({@code &#34;}); Panamax has no markup type. */
    private static final Set<String> MARKUP_ESCAPING = Set.of("meetkai-functionary-medium-v3.1.jinja/tool-call",
            "meetkai-functionary-medium-v3.1.jinja/tool-call-arguments-object");
    /** Python's type errors that Panamax does not raise: none[0], str + dict, json.dumps of a generator. */
    private static final Set<String> PYTHON_TYPE_ERRORS = Set.of("unsloth-mistral-Devstral-Small-2507.jinja/tool-call",
            "meetkai-functionary-medium-v3.2.jinja/tool-call-arguments-object", "llama-cpp-deepseek-r1.jinja/tool-call",
            "llama-cpp-deepseek-r1.jinja/tool-call-arguments-object");
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 7, 4, 15, 5, 9);

    @Test
    @SuppressWarnings("unchecked")
    void realTemplatesRenderAsPythonJinjaRendersThem() throws Exception {
        Path dir = templates();
        Map<String, Map<String, Object>> conversations = new HashMap<>();
        for (Object c : (List<?>) TestJson.parse(resource("conversations.json"))) {
            conversations.put((String) ((Map<String, Object>) c).get("name"), (Map<String, Object>) c);
        }
        Map<String, JinjaTemplate> parsed = new HashMap<>();
        int identical = 0;
        int raised = 0;
        int skipped = 0;
        for (String line : expected().split("\n")) {
            Map<String, Object> e = (Map<String, Object>) TestJson.parse(line);
            String name = (String) e.get("template");
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file) || !sha256(file).equals(e.get("sha256"))) {
                skipped++;
                continue;
            }
            String id = name + "/" + e.get("conversation");
            JinjaTemplate t = parsed.computeIfAbsent(name, n -> JinjaTemplate.parse(read(file)));
            Map<String, Object> c = conversations.get((String) e.get("conversation"));
            Map<String, Object> context = new HashMap<>((Map<String, Object>) c.getOrDefault("kwargs", Map.of()));
            context.put("messages", c.get("messages"));
            context.put("add_generation_prompt", c.get("add_generation_prompt"));
            context.put("tools", c.get("tools"));
            context.put("documents", null);
            context.put("bos_token", "<s>");
            context.put("eos_token", "</s>");
            context.put("strftime_now", (Function<String, String>) f -> Builtins.strftime(NOW, f));
            if (e.containsKey("text") && !MARKUP_ESCAPING.contains(id)) {
                assertEquals(e.get("text"), t.render(context), id);
                identical++;
            } else if (e.containsKey("error") && !PYTHON_TYPE_ERRORS.contains(id)) {
                JinjaException x = assertThrows(JinjaException.class, () -> t.render(context), id);
                String error = (String) e.get("error");
                if (error.startsWith("TemplateError: ")) {
                    assertEquals(error.substring("TemplateError: ".length()), x.detail(), id);
                }
                raised++;
            }
        }
        Assumptions.assumeTrue(identical > 0, "no template of llama.cpp's models/templates matches the recorded ones; skipping");
        assertTrue(identical + raised + skipped > 700, identical + " identical, " + raised + " raised, " + skipped + " skipped");
    }

    private static Path templates() {
        for (String candidate : new String[] {System.getProperty("panamax.llamacpp.src"), System.getenv("PANAMAX_LLAMACPP_SRC"),
                "../../tools/llama.cpp-src", "../tools/llama.cpp-src"}) {
            if (candidate != null && Files.isDirectory(Path.of(candidate, "models", "templates"))) {
                return Path.of(candidate, "models", "templates");
            }
        }
        Assumptions.abort("llama.cpp's source (models/templates) was not found: set -Dpanamax.llamacpp.src or PANAMAX_LLAMACPP_SRC; skipping");
        throw new AssertionError();
    }

    private static String expected() throws IOException {
        try (InputStream in = LlamaCppTemplatesTest.class.getResourceAsStream("llamacpp-templates-python.jsonl.gz")) {
            return new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = LlamaCppTemplatesTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
