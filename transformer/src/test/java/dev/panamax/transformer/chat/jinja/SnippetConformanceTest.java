package dev.panamax.transformer.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.transformer.chat.TestJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each small template of {@code snippets.json} (one language feature each: operators, truthiness,
 * printing, slicing, loops, scoping, whitespace control, filters, tests, string methods, macros)
 * renders as Python Jinja2 renders it in Hugging Face's chat-template environment
 * ({@code snippets-expected.jsonl}, made by {@code make_snippets.py} with {@code hf_jinja.py}).
 */
class SnippetConformanceTest {
    private static final String RESOURCES = "/dev/panamax/transformer/chat/jinja/";

    @TestFactory
    Stream<DynamicTest> snippetsRenderAsTheReferenceEngineDoes() throws IOException {
        Map<String, Map<String, Object>> snippets = new java.util.HashMap<>();
        for (Object o : (List<?>) TestJson.parse(resource("snippets.json"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) o;
            snippets.put((String) s.get("name"), s);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : resource("snippets-expected.jsonl").split("\n")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> expected = (Map<String, Object>) TestJson.parse(line);
            String name = (String) expected.get("name");
            Map<String, Object> snippet = snippets.get(name);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> context = (Map<String, Object>) snippet.getOrDefault("context", Map.of());
                String template = (String) snippet.get("template");
                if (expected.containsKey("error")) {
                    assertThrows(JinjaException.class, () -> JinjaTemplate.render(template, context), template);
                } else {
                    assertEquals(expected.get("text"), JinjaTemplate.render(template, context), template);
                }
            }));
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SnippetConformanceTest.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
