package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reading tool calls from fixed model output in both syntaxes, holding back what may become a call while
 * streaming, and, where llama.cpp's real templates are at hand, the round trip: a call rendered into an
 * assistant turn by the model's own template reads back as the same call, and each template is told as its
 * syntax.
 */
class ToolCallSyntaxTest {
    @Test
    void hermesCallsAreReadWithTheTextAroundThem() {
        ToolCallSyntax.Reply r = ToolCallSyntax.HERMES.parse("Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Panama City\", \"unit\": \"celsius\"}}\n</tool_call>\n<tool_call>{\"name\": \"add\", \"arguments\": "
                + "\"{\\\"a\\\": 2}\"}</tool_call>");
        assertEquals("Let me check.", r.text());
        assertEquals(List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Panama City\",\"unit\":\"celsius\"}"),
                new ToolCall("call_2", "add", "{\"a\":2}")), r.calls());
    }

    @Test
    void anOpeningAndTheRestOfACallReadAsThatCall() {
        String name = "say \"hi\"";
        assertEquals(List.of(new ToolCall("call_1", name, "{\"a\":2}")),
                ToolCallSyntax.HERMES.parse(ToolCallSyntax.HERMES.opening(name) + "{\"a\": 2}}\n</tool_call>").calls());
        assertEquals(List.of(new ToolCall("call_1", name, "{\"a\":2}")),
                ToolCallSyntax.LLAMA3_JSON.parse(ToolCallSyntax.LLAMA3_JSON.opening(name) + "{\"a\": 2}}").calls());
        assertEquals(List.of(new ToolCall("call_1", "add", "{}")),
                ToolCallSyntax.HERMES.parse(ToolCallSyntax.HERMES.opening(null) + "add\", \"arguments\": {}}</tool_call>").calls());
        assertEquals(List.of(new ToolCall("call_1", "add", "{}")),
                ToolCallSyntax.LLAMA3_JSON.parse(ToolCallSyntax.LLAMA3_JSON.opening(null) + "add\", \"parameters\": {}}").calls());
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            assertEquals(0, syntax.shownLength(syntax.opening(null)), syntax + ": an opening is never shown as text");
        }
    }

    @Test
    void malformedCallsStayText() {
        for (String reply : new String[] {"<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": </tool_call>",
                "<tool_call>{\"arguments\": {}}</tool_call>", "<tool_call>[1, 2]</tool_call>", "no call at all"}) {
            ToolCallSyntax.Reply r = ToolCallSyntax.HERMES.parse(reply);
            assertEquals(List.of(), r.calls(), reply);
            assertEquals(reply, r.text(), reply);
        }
        ToolCallSyntax.Reply unclosed = ToolCallSyntax.HERMES.parse("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}");
        assertEquals(List.of(new ToolCall("call_1", "f", "{}")), unclosed.calls(), "a call cut short of its closing tag still reads");
    }

    @Test
    void llama3CallsAreTheWholeReply() {
        assertEquals(List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")),
                ToolCallSyntax.LLAMA3_JSON.parse(" {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}").calls());
        assertEquals(List.of(new ToolCall("call_1", "f", "{\"x\":1}"), new ToolCall("call_2", "g", "{}")),
                ToolCallSyntax.LLAMA3_JSON.parse("<|python_tag|>{\"name\": \"f\", \"arguments\": {\"x\": 1}}; {\"name\": \"g\"}").calls());
        for (String text : new String[] {"The weather is {\"name\": \"x\"} fine", "{\"name\": \"f\", \"parameters\": 3}", "{not json"}) {
            ToolCallSyntax.Reply r = ToolCallSyntax.LLAMA3_JSON.parse(text);
            assertEquals(List.of(), r.calls(), text);
            assertEquals(text, r.text());
        }
    }

    @Test
    void severalLlama3CallsReadAsCallsUpToWhereTheyStop() {
        String two = "{\"name\": \"f\", \"parameters\": {\"s\": \"a; b} {\\\"c\"}}; {\"name\": \"g\", \"parameters\": {\"x\": [1, {}]}}";
        assertEquals(List.of(new ToolCall("call_1", "f", "{\"s\":\"a; b} {\\\"c\"}"), new ToolCall("call_2", "g", "{\"x\":[1,{}]}")),
                ToolCallSyntax.LLAMA3_JSON.parse(two).calls(), "separators and braces inside strings are not the calls' own");
        ToolCallSyntax.Reply cut = ToolCallSyntax.LLAMA3_JSON.parse(two + "; {\"name\": \"h\", \"parameters\": {\"x\": 1");
        assertEquals(2, cut.calls().size(), "a last call cut short is not read");
        assertEquals("{\"name\": \"h\", \"parameters\": {\"x\": 1", cut.text());
        ToolCallSyntax.Reply after = ToolCallSyntax.LLAMA3_JSON.parse("{\"name\": \"f\", \"parameters\": {}} and so on");
        assertEquals(List.of(new ToolCall("call_1", "f", "{}")), after.calls());
        assertEquals("and so on", after.text());
    }

    @ParameterizedTest
    @CsvSource({"Qwen-Qwen2.5-7B-Instruct.jinja, true", "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja, true",
            "Qwen-Qwen3-0.6B.jinja, true", "meta-llama-Llama-3.1-8B-Instruct.jinja, false", "meta-llama-Llama-3.2-3B-Instruct.jinja, false",
            "meta-llama-Llama-3.3-70B-Instruct.jinja, false"})
    void templatesTellWhetherTheyShowSeveralCallsInOneTurn(String name, boolean several) throws Exception {
        JinjaChatTemplate t = JinjaChatTemplate.of(Files.readString(template(name)), Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertEquals(several, ToolCallSyntax.rendersSeveralCalls(t), name);
    }

    @Test
    void aTemplateThatWritesNoCallsShowsNotSeveral() {
        JinjaChatTemplate t = JinjaChatTemplate.of("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}", Map.of());
        assertFalse(ToolCallSyntax.rendersSeveralCalls(t));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"HERMES;Hello <tool_c;6", "HERMES;Hello <tool_call>{;6", "HERMES;Hello <b>;9",
            "HERMES;'x <';2", "LLAMA3_JSON;'  {\"na';0", "LLAMA3_JSON;<|python;0", "LLAMA3_JSON;The answer;10"})
    void streamingShowsTextUpToWhereACallMayBegin(ToolCallSyntax syntax, String soFar, int shown) {
        assertEquals(shown, syntax.shownLength(soFar), soFar);
    }

    @ParameterizedTest
    @CsvSource({"Qwen-Qwen2.5-7B-Instruct.jinja, HERMES", "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja, HERMES",
            "Qwen-Qwen3-0.6B.jinja, HERMES", "meta-llama-Llama-3.1-8B-Instruct.jinja, LLAMA3_JSON",
            "meta-llama-Llama-3.2-3B-Instruct.jinja, LLAMA3_JSON", "meta-llama-Llama-3.3-70B-Instruct.jinja, LLAMA3_JSON"})
    void aCallRenderedByTheModelsOwnTemplateReadsBack(String name, ToolCallSyntax syntax) throws Exception {
        String source = Files.readString(template(name));
        assertEquals(Optional.of(syntax), ToolCallSyntax.of(source), name);
        JinjaChatTemplate t = JinjaChatTemplate.of(source, Map.of("bos_token", "<s>", "eos_token", "</s>"));
        ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\":\"Panama City\",\"unit\":\"celsius\"}");
        List<Map<String, ?>> tools = List.of(Map.of("type", "function", "function", Map.of("name", "get_weather", "description",
                "Current weather", "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"))))));
        String before = t.render(List.of(Map.of("role", "user", "content", "Weather?")), tools, true, Map.of());
        String after = t.render(List.of(Map.of("role", "user", "content", "Weather?"),
                Map.of("role", "assistant", "content", "", "tool_calls", List.of(call.toTemplateValue()))), tools, false, Map.of());
        assertTrue(after.startsWith(before), name + ": the assistant's turn follows the generation prompt");
        String turn = after.substring(before.length());
        for (String end : new String[] {"<|im_end|>", "<|eot_id|>", "<|eom_id|>"}) {
            int at = turn.indexOf(end);
            turn = at >= 0 ? turn.substring(0, at) : turn;
        }
        assertEquals(List.of(call), syntax.parse(turn).calls(), name + ": " + turn);
    }

    @ParameterizedTest
    @CsvSource({"Qwen3-Coder.jinja", "GLM-4.6.jinja", "Qwen3.5-4B.jinja"})
    void templatesWithXmlCallsInsideToolCallTagsDefineNoSyntax(String name) throws Exception {
        assertEquals(Optional.empty(), ToolCallSyntax.of(Files.readString(template(name))), name);
    }

    @Test
    void templatesOfOtherFamiliesDefineNoSyntax() {
        assertEquals(Optional.empty(), ToolCallSyntax.of(ChatModels.CHATML_JINJA));
        assertEquals(Optional.empty(), ToolCallSyntax.of("{% for m in messages %}<|start_header_id|>{{ m.content }}{% endfor %}"));
    }

    private static Path template(String name) {
        for (String src : new String[] {System.getProperty("panamax.llamacpp.src"), System.getenv("PANAMAX_LLAMACPP_SRC"),
                "../../tools/llama.cpp-src", "../tools/llama.cpp-src"}) {
            if (src != null && Files.isRegularFile(Path.of(src, "models", "templates", name))) {
                return Path.of(src, "models", "templates", name);
            }
        }
        Assumptions.abort("llama.cpp's template " + name + " was not found: set -Dpanamax.llamacpp.src or PANAMAX_LLAMACPP_SRC");
        throw new AssertionError("unreachable");
    }
}
