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
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The real chat templates of the shared tokenizer pack ({@code tokenizer_config.json} of Qwen3, Gemma 3,
 * Llama 3, DeepSeek-V3, Mistral NeMo) render every conversation of {@code jinja/conversations.json}
 * byte for byte as transformers.js's {@code apply_chat_template} does ({@code jinja/expected.jsonl},
 * made by {@code jinja/make_expected.mjs}; see the README there). Skipped when the pack is absent.
 */
class HuggingFaceChatTemplateTest {
    private static final String RESOURCES = "/dev/panamax/transformer/chat/jinja/";

    /**
     * Where Panamax follows Python Jinja and transformers.js does not: its {@code selectattr} drops items
     * that lack the attribute before testing it, so NeMo's alternation check never sees these messages.
     * Hugging Face's Python renderer raises the template's error, as Panamax does.
     */
    private static final Set<String> RAISES_IN_PYTHON_JINJA = Set.of("mistral_nemo/roles-not-alternating");

    @TestFactory
    Stream<DynamicTest> everyConversationRendersAsTransformersJsRendersIt() throws IOException {
        Path pack = pack();
        Map<String, Map<String, Object>> conversations = new HashMap<>();
        for (Object c : (List<?>) JsonTree.parse(resource("conversations.json"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) c;
            conversations.put((String) m.get("name"), m);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : resource("expected.jsonl").split("\n")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> expected = (Map<String, Object>) JsonTree.parse(line);
            String tokenizer = (String) expected.get("tokenizer");
            String name = (String) expected.get("conversation");
            tests.add(DynamicTest.dynamicTest(tokenizer + "/" + name, () -> check(pack.resolve(tokenizer), tokenizer + "/" + name,
                    conversations.get(name), expected)));
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    @SuppressWarnings("unchecked")
    private static void check(Path dir, String id, Map<String, Object> conversation, Map<String, Object> expected) {
        String jinja = ModelChatTemplate.ofHuggingFace(dir).orElseThrow();
        JinjaChatTemplate template = JinjaChatTemplate.of(jinja, ModelChatTemplate.specialTokensOfHuggingFace(dir));
        List<Map<String, Object>> messages = (List<Map<String, Object>>) conversation.get("messages");
        List<Map<String, Object>> tools = (List<Map<String, Object>>) conversation.get("tools");
        boolean generation = (Boolean) conversation.get("add_generation_prompt");
        Map<String, Object> kwargs = (Map<String, Object>) conversation.getOrDefault("kwargs", Map.of());
        if (expected.containsKey("text") && !RAISES_IN_PYTHON_JINJA.contains(id)) {
            assertEquals(expected.get("text"), template.render(messages, tools, generation, kwargs));
            return;
        }
        JinjaException e = assertThrows(JinjaException.class, () -> template.render(messages, tools, generation, kwargs));
        assertTrue(e.line() > 0 && e.expression() != null, e.getMessage());
        String message = (String) expected.get("error");
        if (message != null && jinja.contains(message)) { // the template's own raise_exception message
            assertEquals(message, e.detail());
        }
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
