package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionCreateParams.Builder;
import dev.panamax.transformer.sampling.grammar.SchemaCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code parallel_tool_calls} as OpenAI defines it, through OpenAI's Java SDK against stories260K (whose own output is
 * never a call, so the grammar does all of it): {@code tool_choice} "required" is one or more calls when the flag is
 * true (its default) and the template shows several calls in a turn, exactly one when it is false or the template
 * cannot (as Meta's Llama 3.1 templates refuse a turn of two calls); a named function is called exactly once. Each
 * call's arguments are checked against its tool's schema by networknt's validator; ids differ; the same seed streams
 * the same calls, and the raw stream carries each call's {@code index}, its id, type, name and (each call
 * sent as soon as it is whole) all of its arguments in its first delta.
 */
class ParallelToolCallsTest {
    /** Hermes, with an assistant's calls written as Qwen's template writes them: several in one turn. */
    static final String HERMES = """
            {%- if tools %}{{- 'Tools:' }}{%- for tool in tools %}{{- ' ' + tool.function.name }}{%- endfor %}\
            {{- '. Call them as <tool_call>{"name": <name>, "arguments": <object>}</tool_call>\\n' }}{%- endif %}\
            {%- for message in messages %}{{- message.role + ': ' + (message.content or '') }}\
            {%- for call in message.tool_calls or [] %}{{- '\\n<tool_call>\\n{"name": "' + call.function.name + '", "arguments": '\
             + (call.function.arguments | tojson) + '}\\n</tool_call>' }}{%- endfor %}{{- '\\n' }}{%- endfor %}\
            {%- if add_generation_prompt %}{{- 'assistant: ' }}{%- endif %}""";
    /** Llama 3 JSON calls, several separated by "; ". */
    static final String LLAMA3 = """
            {%- if tools %}{{- '<|start_header_id|>system<|end_header_id|>\\n\\nCall' }}{%- for tool in tools %}\
            {{- ' ' + tool.function.name }}{%- endfor %}{{- ' as {"name": name, "parameters": object}<|eot_id|>' }}{%- endif %}\
            {%- for message in messages %}{{- '<|start_header_id|>' + message.role + '<|end_header_id|>\\n\\n' + (message.content or '') }}\
            {%- for call in message.tool_calls or [] %}{%- if not loop.first %}{{- '; ' }}{%- endif %}\
            {{- '{"name": "' + call.function.name + '", "parameters": ' + (call.function.arguments | tojson) + '}' }}{%- endfor %}\
            {{- '<|eot_id|>' }}{%- endfor %}\
            {%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}""";
    /** Llama 3 JSON as Meta's templates have it: a turn of more than one call is refused. */
    static final String LLAMA3_ONE = LLAMA3.replace("{%- for call in message.tool_calls or [] %}",
            "{%- if message.tool_calls and message.tool_calls | length != 1 %}{{- raise_exception('only one call at a time') }}{%- endif %}"
                    + "{%- for call in message.tool_calls or [] %}");

    private static final int SEEDS = 5;
    private static final int MAX_TOKENS = 300;

    private static Builder ask(long seed) throws Exception {
        return ForcedToolCallTest.ask(seed).maxCompletionTokens(MAX_TOKENS);
    }

    /** The reply's calls, each checked: a tool of ours, arguments valid against its schema, ids all different. */
    private static List<ChatCompletionMessageFunctionToolCall> calls(ChatCompletion c, String what) {
        ChatCompletion.Choice choice = c.choices().getFirst();
        List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow(() -> new AssertionError(what + ": " + choice));
        assertFalse(calls.isEmpty(), what);
        assertEquals("", choice.message().content().orElse(""), what + ": only calls"); // a stream's first delta has content ""
        // a reply that ended after a whole call says tool_calls; one the token limit cut says length, with its whole calls
        ChatCompletion.Choice.FinishReason finish = choice.finishReason();
        assertTrue(finish.equals(ChatCompletion.Choice.FinishReason.TOOL_CALLS) || finish.equals(ChatCompletion.Choice.FinishReason.LENGTH),
                what + ": " + finish);
        List<ChatCompletionMessageFunctionToolCall> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            ChatCompletionMessageFunctionToolCall call = calls.get(i).asFunction();
            assertTrue(call.id().startsWith("call_"), call.id());
            assertTrue(ForcedToolCallTest.TOOLS.containsKey(call.function().name()), what + ": " + call);
            String schema = ForcedToolCallTest.TOOLS.get(call.function().name());
            SchemaCheck.assertValid(call.function().arguments(), schema == null ? ForcedToolCallTest.NO_PARAMETERS : schema, what + ", call " + i);
            out.add(call);
        }
        assertEquals(out.size(), out.stream().map(ChatCompletionMessageFunctionToolCall::id).distinct().count(), what + ": ids differ");
        return out;
    }

    private static ChatCompletion streamed(OpenAIClient client, ChatCompletionCreateParams params) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.chatCompletion();
    }

    private static List<ChatCompletionMessageFunctionToolCall.Function> functions(List<ChatCompletionMessageFunctionToolCall> calls) {
        return calls.stream().map(ChatCompletionMessageFunctionToolCall::function).toList();
    }

    /** "required" through the SDK, whole and streamed, for each seed: the number of calls of each reply. */
    private static List<Integer> required(OpenAIClient client, String what, Boolean parallel) throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            Builder b = ask(seed).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED);
            if (parallel != null) {
                b.parallelToolCalls(parallel);
            }
            ChatCompletionCreateParams params = b.build();
            String at = what + ", parallel_tool_calls " + parallel + ", seed " + seed;
            List<ChatCompletionMessageFunctionToolCall> whole = calls(client.chat().completions().create(params), at);
            List<ChatCompletionMessageFunctionToolCall> stream = calls(streamed(client, params), at + ", streamed");
            assertEquals(functions(whole), functions(stream), at + ": the same seed streams the same calls");
            counts.add(whole.size());
        }
        return counts;
    }

    private static void namedIsOneCall(OpenAIClient client, String what) throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            ChatCompletionCreateParams named = ask(seed).parallelToolCalls(true).toolChoice(ChatCompletionNamedToolChoice.builder()
                    .function(ChatCompletionNamedToolChoice.Function.builder().name("add").build()).build()).build();
            String at = what + ", add named, seed " + seed;
            for (ChatCompletion c : List.of(client.chat().completions().create(named), streamed(client, named))) {
                List<ChatCompletionMessageFunctionToolCall> calls = calls(c, at);
                assertEquals(1, calls.size(), at + ": a named function is called exactly once");
                assertEquals("add", calls.getFirst().function().name(), at);
                assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().getFirst().finishReason(), at);
            }
        }
    }

    private static void severalWhereAllowed(String template, String syntax) throws Exception {
        try (RealServer real = new RealServer(ServerSettings.defaults(), 0, template)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(real.baseUrl()).apiKey("none").timeout(Duration.ofSeconds(180)).build();
            try {
                List<Integer> byDefault = required(client, syntax, null);
                assertTrue(byDefault.stream().anyMatch(n -> n >= 2), syntax + ": calls per reply " + byDefault);
                assertEquals(byDefault, required(client, syntax, true), syntax + ": true is OpenAI's default");
                List<Integer> one = required(client, syntax, false);
                assertTrue(one.stream().allMatch(n -> n == 1), syntax + ", false: calls per reply " + one);
                namedIsOneCall(client, syntax);
                streamIndexes(real, syntax);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void requiredIsOneOrMoreHermesCallsWithParallelToolCallsAndOneWithout() throws Exception {
        severalWhereAllowed(HERMES, "hermes");
    }

    @Test
    void requiredIsOneOrMoreLlama3CallsWithParallelToolCallsAndOneWithout() throws Exception {
        severalWhereAllowed(LLAMA3, "llama3");
    }

    @Test
    void aTemplateThatRefusesSeveralCallsInATurnGetsOne() throws Exception {
        try (RealServer real = new RealServer(ServerSettings.defaults(), 0, LLAMA3_ONE)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(real.baseUrl()).apiKey("none").timeout(Duration.ofSeconds(180)).build();
            try {
                List<Integer> counts = required(client, "llama3, one call a turn", true);
                assertTrue(counts.stream().allMatch(n -> n == 1), "calls per reply " + counts);
            } finally {
                client.close();
            }
        }
    }

    /**
     * The raw stream of a reply of several calls, as OpenAI streams them: each call's deltas carry its {@code index}
     * (0, 1, ... in order), the first of them its id, {@code "type": "function"} and name; the arguments follow.
     */
    private static void streamIndexes(RealServer real, String syntax) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        int several = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            String body = "{\"model\": \"" + RealServer.MODEL + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}],"
                    + " \"temperature\": 1, \"seed\": " + seed + ", \"max_tokens\": " + MAX_TOKENS + ", \"stream\": true, \"tool_choice\": \"required\","
                    + " \"tools\": " + ForcedToolCallTest.toolsJson() + "}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(real.baseUrl() + "/chat/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            Map<Integer, StringBuilder> arguments = new TreeMap<>();
            Map<Integer, String> ids = new TreeMap<>();
            int last = -1;
            for (String line : r.body().split("\n")) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                    continue;
                }
                JsonNode delta = TestServer.json(line.substring(6)).at("/choices/0/delta");
                for (JsonNode d : delta.path("tool_calls")) {
                    int index = d.path("index").asInt(-1);
                    String what = syntax + ", seed " + seed + ": " + d;
                    assertTrue(index == last || index == last + 1, what + ": indexes in order from 0");
                    if (index == last + 1) {
                        assertTrue(d.path("id").asText().startsWith("call_"), what);
                        assertEquals("function", d.path("type").asText(), what);
                        assertTrue(ForcedToolCallTest.TOOLS.containsKey(d.at("/function/name").asText()), what);
                        ids.put(index, d.path("id").asText());
                        // sent once whole, while the reply goes on: the first delta holds all of its arguments
                        assertTrue(TestServer.json(d.at("/function/arguments").asText()).isObject(), what);
                        last = index;
                    }
                    arguments.computeIfAbsent(index, k -> new StringBuilder()).append(d.at("/function/arguments").asText(""));
                }
            }
            assertTrue(last >= 0, syntax + ", seed " + seed + ": calls streamed: " + r.body());
            assertEquals(ids.size(), ids.values().stream().distinct().count(), "ids differ: " + ids);
            for (StringBuilder a : arguments.values()) {
                assertTrue(a.length() > 1 && a.charAt(0) == '{', "each call's arguments: " + arguments);
            }
            several += last >= 1 ? 1 : 0;
        }
        assertTrue(several > 0, syntax + ": some streamed reply holds several calls");
    }
}
