package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.serve.Requests.ChatCompletionRequest;
import dev.panamax.serve.Responses.ToolCallOut;
import dev.panamax.transformer.chat.ChatTemplate;
import dev.panamax.transformer.chat.ForcedToolModel;
import dev.panamax.transformer.chat.JinjaChatTemplate;
import dev.panamax.transformer.chat.LlamaCppTemplates;
import dev.panamax.transformer.chat.ToolCallSyntax;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A chat request's prompt with tools, rendered by real templates (llama.cpp's copies of Qwen 2.5's and Llama 3.1's,
 * where its source is at hand; the tests' Hermes-style one always), and replies read from fixed text: the model's
 * part of a forced call ({@code tool_choice} "required" or named), text around a call, {@code parallel_tool_calls}.
 */
class ChatPromptTest {
    static final String TOOLS = ", \"tools\": [" + ToolCallingTest.ADD + "]";
    static final String CONVERSATION = """
            [{"role": "system", "content": "Be exact."}, {"role": "user", "content": "What is 2 + 3?"},
             {"role": "assistant", "content": null, "tool_calls": [{"id": "call_7", "type": "function",
               "function": {"name": "add", "arguments": "{\\"a\\": 2, \\"b\\": 3}"}}]},
             {"role": "tool", "tool_call_id": "call_7", "content": "five"}]""";

    private static ChatCompletionRequest request(String messages, String extra) {
        return Json.read(("{\"messages\": " + messages + extra + "}").getBytes(), ChatCompletionRequest.class);
    }

    private static JinjaChatTemplate template(String name) throws Exception {
        String source = name.equals("test") ? ForcedToolModel.HERMES_JINJA : Files.readString(LlamaCppTemplates.require(name));
        return JinjaChatTemplate.of(source, Map.of("bos_token", "<s>", "eos_token", "</s>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"test", "Qwen-Qwen2.5-7B-Instruct.jinja", "meta-llama-Llama-3.1-8B-Instruct.jinja"})
    void theToolsTheCallAndItsResultAreRenderedAsTheTemplateRendersThem(String name) throws Exception {
        JinjaChatTemplate t = template(name);
        ChatPrompt p = ChatPrompt.of(request(CONVERSATION, TOOLS), t);
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("a", 2L);
        arguments.put("b", 3L);
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", "call_7");
        call.put("type", "function");
        call.put("function", Map.of("name", "add", "arguments", arguments));
        List<Map<String, Object>> messages = List.of(Map.of("role", "system", "content", "Be exact."),
                Map.of("role", "user", "content", "What is 2 + 3?"), Map.of("role", "assistant", "content", "", "tool_calls", List.of(call)),
                Map.of("role", "tool", "content", "five", "tool_call_id", "call_7", "name", "add"));
        @SuppressWarnings("unchecked")
        Map<String, Object> tool = Json.MAPPER.readValue(ToolCallingTest.ADD, Map.class);
        assertEquals(t.render(messages, List.of(tool), true, Map.of()), p.text());
        for (String part : new String[] {"\"add\"", "integer", "five"}) {
            assertTrue(p.text().contains(part), name + " renders " + part + ": " + p.text());
        }
        assertEquals(ToolCallSyntax.of(t.source()).orElseThrow(), p.syntax());
        assertEquals("", p.opening(), "auto: the model writes the whole reply");
        String none = ChatPrompt.of(request(CONVERSATION, TOOLS + ", \"tool_choice\": \"none\""), t).text();
        assertEquals(t.render(messages, null, true, Map.of()), none, "none: no tools in the prompt");
    }

    @org.junit.jupiter.api.Test
    void aRequiredOrNamedHermesCallStartsTheReplyAndTheModelsPartReadsAsTheCall() throws Exception {
        forced("test", "{\"a\": 2, \"b\": 3}}\n</tool_call>", "add\", \"arguments\": {\"a\": 2, \"b\": 3}}</tool_call>");
    }

    @org.junit.jupiter.api.Test
    void aRequiredOrNamedLlama31CallStartsTheReplyAndTheModelsPartReadsAsTheCall() throws Exception {
        forced("meta-llama-Llama-3.1-8B-Instruct.jinja", "{\"a\": 2, \"b\": 3}}", "add\", \"parameters\": {\"a\": 2, \"b\": 3}}");
    }

    private static void forced(String name, String namedRest, String requiredRest) throws Exception {
        JinjaChatTemplate t = template(name);
        ToolCallSyntax syntax = ToolCallSyntax.of(t.source()).orElseThrow();
        String plain = ChatPrompt.of(request("[{\"role\": \"user\", \"content\": \"2 + 3?\"}]", TOOLS), t).text();
        ChatPrompt named = ChatPrompt.of(request("[{\"role\": \"user\", \"content\": \"2 + 3?\"}]",
                TOOLS + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"add\"}}"), t);
        assertEquals(plain + syntax.opening("add"), named.text());
        assertEquals(0, named.shownLength("{\"a\""), "nothing of a forced call is streamed as text");
        ChatPrompt.Reply r = named.read(namedRest);
        assertNull(r.content());
        assertEquals("add", r.calls().getFirst().function().name());
        assertEquals("{\"a\":2,\"b\":3}", r.calls().getFirst().function().arguments());

        ChatPrompt required = ChatPrompt.of(request("[{\"role\": \"user\", \"content\": \"2 + 3?\"}]", TOOLS + ", \"tool_choice\": \"required\""), t);
        assertEquals(plain + syntax.opening(null), required.text());
        assertEquals("{\"a\":2,\"b\":3}", required.read(requiredRest).calls().getFirst().function().arguments());
        ChatPrompt.Reply broken = required.read("add\", \"arguments\": {\"a\": ");
        assertEquals(List.of(), broken.calls(), "a call the model breaks off is no call");
        assertEquals(syntax.opening(null) + "add\", \"arguments\": {\"a\": ", broken.content(), "it comes back as the text it is");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"test, true", "Qwen-Qwen2.5-7B-Instruct.jinja, true", "meta-llama-Llama-3.1-8B-Instruct.jinja, false"})
    void requiredIsOneOrMoreCallsWhereTheTemplateShowsSeveralAndParallelToolCallsAllowsThemANamedFunctionOne(String name, boolean shows)
            throws Exception {
        JinjaChatTemplate t = template(name);
        ToolCallSyntax syntax = ToolCallSyntax.of(t.source()).orElseThrow();
        String close = syntax == ToolCallSyntax.HERMES ? "}\n</tool_call>" : "}";
        String second = syntax.separator() + syntax.opening("add") + "{\"a\": 4, \"b\": 5}" + close;
        String one = syntax.opening("add").substring(syntax.opening(null).length()) + "{\"a\": 2, \"b\": 3}" + close;
        String user = "[{\"role\": \"user\", \"content\": \"2 + 3 and 4 + 5?\"}]";
        for (String parallel : new String[] {"", ", \"parallel_tool_calls\": true", ", \"parallel_tool_calls\": false"}) {
            ChatPrompt required = ChatPrompt.of(request(user, TOOLS + ", \"tool_choice\": \"required\"" + parallel), t);
            boolean several = shows && !parallel.contains("false"); // OpenAI's default is true
            String what = name + parallel;
            assertTrue(required.grammar().matches(one), what);
            assertEquals(several, required.grammar().matches(one + second), what);
            assertEquals(several, required.grammar().matches(one + second + second), what);
            assertFalse(required.grammar().matches(one + second.substring(0, second.length() - 2)), what + ": a call is whole");
            if (several) {
                ChatPrompt.Reply r = required.read(one + second);
                assertNull(r.content(), what);
                assertEquals(List.of("{\"a\":2,\"b\":3}", "{\"a\":4,\"b\":5}"), r.calls().stream().map(c -> c.function().arguments()).toList());
                assertEquals(2, r.calls().stream().map(ToolCallOut::id).distinct().count(), what + ": ids differ");
                ChatPrompt.Reply cut = required.read(one + second + second.substring(0, second.length() - 4));
                assertNull(cut.content(), what + ": a call cut short by the token limit is not text");
                assertEquals(2, cut.calls().size(), what);
                // a stream sends each call once it is settled, with the ids the whole reply's reading gives
                String partial = one + second.substring(0, second.length() - 3);
                assertEquals(List.of(r.calls().getFirst().function()), required.settledCalls(partial, "call_x_").stream()
                        .map(ToolCallOut::function).toList(), what + ": the first call is settled, the second not yet");
                assertEquals(required.read(one + second, "call_x_").calls(), required.settledCalls(one + second, "call_x_"), what);
                assertTrue(required.settledLength(partial) > 0 && required.settledLength(partial) <= partial.length(), what);
            }
            ChatPrompt named = ChatPrompt.of(request(user, TOOLS + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\":"
                    + " \"add\"}}" + parallel), t);
            String namedOne = "{\"a\": 2, \"b\": 3}" + close;
            assertTrue(named.grammar().matches(namedOne), what);
            assertFalse(named.grammar().matches(namedOne + second), what + ": a named function is called once");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void textBesideCallsIsTheContentAndParallelToolCallsFalseKeepsTheFirst(boolean parallel) throws Exception {
        ChatPrompt p = ChatPrompt.of(request("[{\"role\": \"user\", \"content\": \"2 + 3?\"}]", TOOLS + ", \"parallel_tool_calls\": "
                + parallel), template("test"));
        String reply = "Let me add.\n<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 2, \"b\": 3}}</tool_call>\n"
                + "<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 4, \"b\": 5}}</tool_call>";
        ChatPrompt.Reply r = p.read(reply);
        assertEquals("Let me add.", r.content());
        assertEquals(parallel ? 2 : 1, r.calls().size());
        assertEquals("{\"a\":2,\"b\":3}", r.calls().getFirst().function().arguments());
        assertTrue(!r.calls().getFirst().id().equals(r.calls().getLast().id()) || !parallel, "ids differ");
        assertEquals("Let me add.\n".length(), p.shownLength(reply), "streaming shows the text before the call");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools", "messages[2].tool_calls"})
    void aBuiltInFormatRefusesToolsAndToolCalls(String param) {
        String messages = param.equals("tools") ? "[{\"role\": \"user\", \"content\": \"hi\"}]" : CONVERSATION;
        ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> ChatPrompt.of(request(messages, param.equals("tools") ? TOOLS : ""), ChatTemplate.CHATML));
        assertEquals(param, e.param(), e.getMessage());
    }
}
