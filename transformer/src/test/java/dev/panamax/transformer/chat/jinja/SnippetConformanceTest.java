package dev.panamax.transformer.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.panamax.transformer.chat.JsonTree;
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
 * slicing, loops, scoping, whitespace control, filters, tests, string methods, macros) renders as
 * {@code @huggingface/jinja}, transformers.js's engine, renders it ({@code snippets-expected.jsonl},
 * made by {@code make_snippets.mjs}), except where that engine departs from Python Jinja, listed here
 * with Python's result.
 */
class SnippetConformanceTest {
    private static final String RESOURCES = "/dev/panamax/transformer/chat/jinja/";

    /** JavaScript's loose {@code ==} and identity of lists; Python compares values. */
    private static final Map<String, String> PYTHON_JINJA = Map.of(
            "equality of numbers", "true false true",
            "string times integer", "=====");

    @TestFactory
    Stream<DynamicTest> snippetsRenderAsTheReferenceEngineDoes() throws IOException {
        Map<String, Map<String, Object>> snippets = new java.util.HashMap<>();
        for (Object o : (List<?>) JsonTree.parse(resource("snippets.json"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) o;
            snippets.put((String) s.get("name"), s);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : resource("snippets-expected.jsonl").split("\n")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> expected = (Map<String, Object>) JsonTree.parse(line);
            String name = (String) expected.get("name");
            Map<String, Object> snippet = snippets.get(name);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> context = (Map<String, Object>) snippet.getOrDefault("context", Map.of());
                String want = PYTHON_JINJA.getOrDefault(name, (String) expected.get("text"));
                assertEquals(want, JinjaTemplate.render((String) snippet.get("template"), context), (String) snippet.get("template"));
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
