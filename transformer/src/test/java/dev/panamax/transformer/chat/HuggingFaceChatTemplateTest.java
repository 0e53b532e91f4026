package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.transformer.chat.jinja.JinjaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The real chat templates of the shared tokenizer pack ({@code tokenizer_config.json} of Qwen3, Gemma 3,
 * Llama 3, DeepSeek-V3, Mistral NeMo) render every conversation of {@code jinja/conversations.json}
 * byte for byte as Hugging Face renders them: as transformers.js's {@code apply_chat_template}
 * ({@code jinja/expected-transformersjs.jsonl}) and as Python transformers' Jinja environment
 * ({@code jinja/expected-python.jsonl}); see the README there. Where the two references differ (listed
 * below), Panamax renders as Python does. Skipped when the pack is absent.
 */
class HuggingFaceChatTemplateTest {
    private static final String RESOURCES = "/dev/panamax/transformer/chat/jinja/";

    /** Where transformers.js departs from Python Jinja, and why; Panamax follows Python. */
    private static final Map<String, String> TRANSFORMERS_JS_DEPARTS = Map.of(
            "mistral_nemo/roles-not-alternating", "its selectattr drops items that lack the attribute before testing them, so NeMo's"
                    + " alternation check never sees these messages; Python raises the template's error",
            "llama3/tool-call", "its trim filter fails on none (the tool call's content); Python trims the text 'None'");

    @TestFactory
    Stream<DynamicTest> everyConversationRendersAsHuggingFaceRendersIt() throws IOException {
        Path pack = pack();
        Map<String, Map<String, Object>> conversations = new HashMap<>();
        for (Object c : (List<?>) TestJson.parse(resource("conversations.json"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) c;
            conversations.put((String) m.get("name"), m);
        }
        Map<String, Map<String, Object>> transformersJs = lines("expected-transformersjs.jsonl");
        Map<String, Map<String, Object>> python = lines("expected-python.jsonl");
        assertEquals(transformersJs.keySet(), python.keySet(), "both references rendered the same cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : python.entrySet()) {
            String id = e.getKey();
            Map<String, Object> js = transformersJs.get(id);
            Map<String, Object> py = e.getValue();
            tests.add(DynamicTest.dynamicTest(id, () -> {
                boolean agree = Objects.equals(js.get("text"), py.get("text"));
                assertEquals(!agree, TRANSFORMERS_JS_DEPARTS.containsKey(id), "the references differ exactly where listed: " + id);
                check(pack.resolve(id.substring(0, id.indexOf('/'))), conversations.get(id.substring(id.indexOf('/') + 1)), py);
            }));
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    private static final Map<Path, JinjaChatTemplate> TEMPLATES = new java.util.concurrent.ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    private static void check(Path dir, Map<String, Object> conversation, Map<String, Object> expected) {
        JinjaChatTemplate template = TEMPLATES.computeIfAbsent(dir,
                d -> JinjaChatTemplate.of(ModelChatTemplate.ofHuggingFace(d).orElseThrow(), ModelChatTemplate.specialTokensOfHuggingFace(d)));
        String jinja = template.source();
        List<Map<String, Object>> messages = (List<Map<String, Object>>) conversation.get("messages");
        List<Map<String, Object>> tools = (List<Map<String, Object>>) conversation.get("tools");
        boolean generation = (Boolean) conversation.get("add_generation_prompt");
        Map<String, Object> kwargs = (Map<String, Object>) conversation.getOrDefault("kwargs", Map.of());
        if (expected.containsKey("text")) {
            assertEquals(expected.get("text"), template.render(messages, tools, generation, kwargs));
            return;
        }
        JinjaException e = assertThrows(JinjaException.class, () -> template.render(messages, tools, generation, kwargs));
        assertTrue(e.line() > 0 && e.expression() != null, e.getMessage());
        String error = (String) expected.get("error");
        if (error.startsWith("TemplateError: ")) { // the template's own raise_exception(message)
            assertEquals(error.substring("TemplateError: ".length()), e.detail());
        }
    }

    private static Map<String, Map<String, Object>> lines(String resource) throws IOException {
        Map<String, Map<String, Object>> byId = new TreeMap<>();
        for (String line : resource(resource).split("\n")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) TestJson.parse(line);
            byId.put(m.get("tokenizer") + "/" + m.get("conversation"), m);
        }
        return byId;
    }

    /** The two templates that the pack's gpt-oss and Mistral 7B configs lack: those models use a built-in format. */
    @Test
    void configsWithoutATemplateHaveNone() throws IOException {
        Path pack = pack();
        assertEquals(Optional.empty(), ModelChatTemplate.ofHuggingFace(pack.resolve("gptoss")));
        assertEquals(Optional.empty(), ModelChatTemplate.ofHuggingFace(pack.resolve("mistral_7b")));
        assertEquals(Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|end_of_text|>"),
                ModelChatTemplate.specialTokensOfHuggingFace(pack.resolve("llama3")));
    }

    /** The pack: {@code -Dpanamax.tokenizers}, {@code PANAMAX_TOKENIZERS}, else {@code shared/tokenizers} beside the checkout. */
    static Path pack() {
        for (String candidate : new String[] {System.getProperty("panamax.tokenizers"), System.getenv("PANAMAX_TOKENIZERS"),
                "../../shared/tokenizers", "../shared/tokenizers"}) {
            if (candidate != null && Files.isDirectory(Path.of(candidate).resolve("qwen3"))) {
                return Path.of(candidate).toAbsolutePath().normalize();
            }
        }
        Assumptions.abort("the tokenizer pack (shared/tokenizers) was not found: set -Dpanamax.tokenizers or PANAMAX_TOKENIZERS; skipping");
        throw new AssertionError();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = HuggingFaceChatTemplateTest.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
