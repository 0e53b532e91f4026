package dev.panamax.transformer.chat.jinja;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the chat template engine (Jazzer): any template, rendered for a fixed
 * conversation, gives text within {@link Limits#maxChars()} or a {@link JinjaException} with a message;
 * never another exception, a stack or heap overflow, or a render that outlives its step limit's time.
 * Small limits keep each input fast; the limits themselves are what is under test. Seeds:
 * JinjaTemplateFuzzTestInputs/, small templates of our own using the features real chat templates use.
 */
class JinjaTemplateFuzzTest {
    private static final Limits LIMITS = new Limits(1 << 16, 200_000, 64);
    /** Far beyond what 200,000 steps take (milliseconds); only a render the step limit fails to stop gets near it. */
    private static final long MAX_NANOS = 10_000_000_000L;
    private static final Map<String, Object> CONVERSATION = Map.of(
            "messages", List.of(
                    Map.of("role", "system", "content", "Be brief."),
                    Map.of("role", "user", "content", "What is 2+2?"),
                    Map.of("role", "assistant", "content", "4", "tool_calls",
                            List.of(Map.of("type", "function", "function", Map.of("name", "add", "arguments", Map.of("a", 2, "b", 2))))),
                    Map.of("role", "tool", "content", "{\"sum\": 4}")),
            "tools", List.of(Map.of("type", "function", "function", Map.of("name", "add", "description", "adds",
                    "parameters", Map.of("type", "object", "properties", Map.of("a", Map.of("type", "number")))))),
            "add_generation_prompt", true, "bos_token", "<s>", "eos_token", "</s>");

    @FuzzTest(maxDuration = "5s")
    void anyTemplateRendersWithinLimitsOrFailsWithAJinjaException(byte[] bytes) {
        String template = new String(bytes, StandardCharsets.UTF_8);
        long start = System.nanoTime();
        try {
            String out = JinjaTemplate.parse(template, LIMITS).render(CONVERSATION);
            if (out.length() > LIMITS.maxChars()) {
                throw new AssertionError("output of " + out.length() + " characters, over the limit, from " + quoted(template));
            }
        } catch (JinjaException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("JinjaException without a message from " + quoted(template), e);
            }
        } catch (RuntimeException e) {
            throw new AssertionError("not a JinjaException: " + e + " from " + quoted(template), e);
        } catch (StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError("ran out of stack or heap on " + quoted(template), e);
        }
        long nanos = System.nanoTime() - start;
        if (nanos > MAX_NANOS) {
            throw new AssertionError("rendering took " + nanos / 1_000_000 + " ms: " + quoted(template));
        }
    }

    private static String quoted(String s) {
        String shown = s.length() > 400 ? s.substring(0, 400) + "..." : s;
        return '"' + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + '"';
    }
}
