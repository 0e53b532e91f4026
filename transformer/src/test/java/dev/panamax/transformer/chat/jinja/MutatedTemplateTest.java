package dev.panamax.transformer.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.chat.TestJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile input, as a fuzzer would send it: templates of {@code snippets.json} with random characters
 * deleted, inserted, duplicated or swapped, rendered with small limits. Every outcome is text within
 * the bounds or a {@link JinjaException}: no other exception, no hang. {@code -Dpanamax.jinja.mutations=N} runs more.
 */
@ExtendWith(Seeded.class)
class MutatedTemplateTest {
    private static final String PIECES = "{}%#-+~*/|.,:()[]'\"\\ \n=<>!aeifnorst0123456789";
    private static final String[] TOKENS = {"{%", "%}", "{{", "}}", "{#", "#}", "{%-", "-%}", "for ", "if ", "endif", "endfor", "macro ", "set ",
        " in ", " is ", "loop.", "[::-1]", "range(99999)", "namespace(", "caller()", "* 9999", "~ x ~ x", "| tojson(indent=99)"};

    @Test
    void mutatedTemplatesRenderWithinBoundsOrFailWithAJinjaException(Random random) throws IOException {
        List<String> templates = new ArrayList<>();
        for (Object o : (List<?>) TestJson.parse(resource("snippets.json"))) {
            templates.add((String) ((Map<?, ?>) o).get("template"));
        }
        Limits limits = new Limits(20_000, 50_000, 40);
        Map<String, Object> context = Map.of("messages", List.of(Map.of("role", "user", "content", "hi")), "x", "xx", "xs", List.of(1, 2, 3));
        int rendered = 0;
        for (int i = 0, n = Integer.getInteger("panamax.jinja.mutations", 3000); i < n; i++) {
            String t = mutate(templates.get(random.nextInt(templates.size())), random);
            try {
                String out = JinjaTemplate.parse(t, limits).render(context);
                assertTrue(out.length() <= limits.maxChars(), "output of " + out.length() + " characters from " + t);
                rendered++;
            } catch (JinjaException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty(), t);
            } catch (RuntimeException | StackOverflowError e) {
                fail("not a JinjaException for template " + escape(t) + ": " + e, e);
            }
        }
        assertTrue(rendered > 100, "most mutations still render something: " + rendered);
    }

    private static String mutate(String t, Random r) {
        StringBuilder s = new StringBuilder(t);
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
            int at = s.isEmpty() ? 0 : r.nextInt(s.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> {
                    if (at < s.length()) {
                        s.deleteCharAt(at);
                    }
                }
                case 1 -> s.insert(at, PIECES.charAt(r.nextInt(PIECES.length())));
                case 2 -> s.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                case 3 -> {
                    int from = r.nextInt(s.length() + 1);
                    int to = Math.min(s.length(), from + r.nextInt(30));
                    s.insert(at, s.substring(from, to));
                }
                default -> {
                    if (at + 1 < s.length()) {
                        char c = s.charAt(at);
                        s.setCharAt(at, s.charAt(at + 1));
                        s.setCharAt(at + 1, c);
                    }
                }
            }
        }
        return s.toString();
    }

    private static String escape(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + '"';
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = MutatedTemplateTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
