package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.panamax.transformer.sampling.grammar.SchemaCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forced tool calls ({@code tool_choice} "required" or a named function) held to the call's syntax and the tool's
 * {@code parameters} by constrained decoding, on stories260K, a real model whose own output is never a call (it
 * writes children's stories), so the grammar does all of it: through OpenAI's Java SDK, whole and streamed, in the
 * Hermes and the Llama 3 JSON syntax, every reply one call whose arguments networknt's validator accepts against its
 * tool's schema. "auto" stays free (stories, no calls); "auto" beside a response format is a call or that document.
 * The templates are short ones written here (stories260K has a context of 512 tokens), each teaching its syntax; they
 * write no assistant calls, so a forced reply stays one call whatever {@code parallel_tool_calls} says
 * ({@link ParallelToolCallsTest} has templates that show several).
 */
class ForcedToolCallTest {
    static final String HERMES = """
            {%- if tools %}{{- 'Tools:' }}{%- for tool in tools %}{{- ' ' + tool.function.name }}{%- endfor %}\
            {{- '. Call one as <tool_call>{"name": <name>, "arguments": <object>}</tool_call>\\n' }}{%- endif %}\
            {%- for message in messages %}{{- message.role + ': ' + message.content + '\\n' }}{%- endfor %}\
            {%- if add_generation_prompt %}{{- 'assistant: ' }}{%- endif %}""";
    static final String LLAMA3 = """
            {%- if tools %}{{- '<|start_header_id|>system<|end_header_id|>\\n\\nCall one of' }}{%- for tool in tools %}\
            {{- ' ' + tool.function.name }}{%- endfor %}{{- ' as {"name": name, "parameters": object}<|eot_id|>' }}{%- endif %}\
            {%- for message in messages %}{{- '<|start_header_id|>' + message.role + '<|end_header_id|>\\n\\n' + message.content\
             + '<|eot_id|>' }}{%- endfor %}\
            {%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}""";

    /** The tools: integers, an enum and a boolean, and none at all; no free strings, so every call ends within a few dozen tokens. */
    static final Map<String, String> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("add", "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}},"
                + " \"required\": [\"a\", \"b\"], \"additionalProperties\": false}");
        TOOLS.put("set_mood", "{\"type\": \"object\", \"properties\": {\"mood\": {\"enum\": [\"glad\", \"sad\", \"cross\"]},"
                + " \"loud\": {\"type\": \"boolean\"}}, \"required\": [\"mood\"], \"additionalProperties\": false}");
        TOOLS.put("ping", null);
    }

    /** What a call to a tool without parameters may carry: nothing. */
    static final String NO_PARAMETERS = "{\"type\": \"object\", \"additionalProperties\": false}";

    private static List<FunctionDefinition> definitions() throws Exception {
        List<FunctionDefinition> out = new ArrayList<>();
        for (Map.Entry<String, String> t : TOOLS.entrySet()) {
            FunctionDefinition.Builder f = FunctionDefinition.builder().name(t.getKey());
            if (t.getValue() != null) {
                FunctionParameters.Builder p = FunctionParameters.builder();
                Json.MAPPER.readTree(t.getValue()).properties().forEach(e -> p.putAdditionalProperty(e.getKey(),
                        JsonValue.from(Json.MAPPER.convertValue(e.getValue(), Object.class))));
                f.parameters(p.build());
            }
            out.add(f.build());
        }
        return out;
    }

    static ChatCompletionCreateParams.Builder ask(long seed) throws Exception {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(RealServer.MODEL).addUserMessage("Once upon a time")
                .temperature(1.0).seed(seed).maxCompletionTokens(200);
        for (FunctionDefinition f : definitions()) {
            b.addFunctionTool(f);
        }
        return b;
    }

    /** The reply's one call, checked: a tool of ours, arguments valid against its schema. */
    private static ChatCompletionMessageFunctionToolCall theCall(ChatCompletion c, String what) {
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason(), what + ": " + choice);
        List<com.openai.models.chat.completions.ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
        assertEquals(1, calls.size(), what + ": " + calls);
        ChatCompletionMessageFunctionToolCall call = calls.getFirst().asFunction();
        assertTrue(call.id().startsWith("call_"), call.id());
        assertTrue(TOOLS.containsKey(call.function().name()), what + ": " + call);
        String schema = TOOLS.get(call.function().name());
        SchemaCheck.assertValid(call.function().arguments(), schema == null ? NO_PARAMETERS : schema, what);
        return call;
    }

    private static ChatCompletion streamed(OpenAIClient client, ChatCompletionCreateParams params) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.chatCompletion();
    }

    private static void forcedCallsAreValidWholeAndStreamed(String template, String syntax) throws Exception {
        try (RealServer real = new RealServer(ServerSettings.defaults(), 0, template)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(real.baseUrl()).apiKey("none").timeout(Duration.ofSeconds(120)).build();
            try {
                List<String> names = new ArrayList<>();
                for (long seed = 1; seed <= 6; seed++) {
                    ChatCompletionCreateParams required = ask(seed).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build();
                    String what = syntax + ", required, seed " + seed;
                    ChatCompletionMessageFunctionToolCall whole = theCall(client.chat().completions().create(required), what);
                    ChatCompletionMessageFunctionToolCall stream = theCall(streamed(client, required), what + ", streamed");
                    assertEquals(whole.function(), stream.function(), what + ": the same seed streams the same call");
                    names.add(whole.function().name());

                    ChatCompletionCreateParams named = ask(seed).toolChoice(ChatCompletionNamedToolChoice.builder()
                            .function(ChatCompletionNamedToolChoice.Function.builder().name("set_mood").build()).build()).build();
                    what = syntax + ", set_mood named, seed " + seed;
                    assertEquals("set_mood", theCall(client.chat().completions().create(named), what).function().name(), what);
                    assertEquals("set_mood", theCall(streamed(client, named), what + ", streamed").function().name(), what);
                }
                assertTrue(names.stream().distinct().count() >= 2, syntax + ": the model chose among the tools: " + names);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void forcedCallsInTheHermesSyntaxAreValidWholeAndStreamed() throws Exception {
        forcedCallsAreValidWholeAndStreamed(HERMES, "hermes");
    }

    @Test
    void forcedCallsInTheLlama3JsonSyntaxAreValidWholeAndStreamed() throws Exception {
        forcedCallsAreValidWholeAndStreamed(LLAMA3, "llama3");
    }

    @Test
    void autoStaysFreeAndBesideAResponseFormatIsACallOrTheDocument() throws Exception {
        try (RealServer real = new RealServer(ServerSettings.defaults(), 0, HERMES)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(real.baseUrl()).apiKey("none").timeout(Duration.ofSeconds(120)).build();
            try {
                for (long seed = 1; seed <= 3; seed++) {
                    for (ChatCompletionToolChoiceOption.Auto choice : List.of(ChatCompletionToolChoiceOption.Auto.AUTO,
                            ChatCompletionToolChoiceOption.Auto.NONE)) {
                        ChatCompletion c = client.chat().completions().create(ask(seed).toolChoice(choice).maxCompletionTokens(40).build());
                        assertTrue(c.choices().getFirst().message().toolCalls().isEmpty(), choice + ", seed " + seed + ": a story, no call");
                        assertFalse(c.choices().getFirst().message().content().orElseThrow().isEmpty());
                    }
                }
            } finally {
                client.close();
            }
            String mood = TOOLS.get("set_mood");
            int calls = 0, documents = 0;
            for (long seed = 1; seed <= 8; seed++) {
                String body = "{\"model\": \"" + RealServer.MODEL + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}],"
                        + " \"temperature\": 1, \"seed\": " + seed + ", \"max_tokens\": 200, \"tools\": " + toolsJson()
                        + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"mood\", \"schema\": " + mood + "}}}";
                TestServer.Reply r = post(real, body);
                assertEquals(200, r.status(), r.body());
                JsonNode choice = r.json().at("/choices/0");
                String what = "auto with a response format, seed " + seed + ": " + choice;
                if (choice.path("message").has("tool_calls")) {
                    assertEquals("tool_calls", choice.path("finish_reason").asText(), what);
                    JsonNode f = choice.at("/message/tool_calls/0/function");
                    String schema = TOOLS.get(f.path("name").asText());
                    SchemaCheck.assertValid(f.path("arguments").asText(), schema == null ? NO_PARAMETERS : schema, what);
                    calls++;
                } else {
                    assertEquals("stop", choice.path("finish_reason").asText(), what);
                    SchemaCheck.assertValid(choice.at("/message/content").asText(), mood, what);
                    documents++;
                }
            }
            assertEquals(8, calls + documents);
        }
    }

    static String toolsJson() throws Exception {
        List<Object> tools = new ArrayList<>();
        for (Map.Entry<String, String> t : TOOLS.entrySet()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", t.getKey());
            if (t.getValue() != null) {
                f.put("parameters", Json.MAPPER.readValue(t.getValue(), Map.class));
            }
            tools.add(Map.of("type", "function", "function", f));
        }
        return Json.MAPPER.writeValueAsString(tools);
    }

    private static TestServer.Reply post(RealServer real, String body) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(real.server.uri().resolve("v1/chat/completions"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new TestServer.Reply(r.statusCode(), TestServer.json(r.body()), r.body());
    }
}
