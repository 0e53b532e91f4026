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
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.chat.ForcedToolModel;
import dev.panamax.transformer.chat.JinjaChatTemplate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool calling on {@code /v1/chat/completions}, over {@link ForcedToolModel}: a model whose weights make it write
 * a call to {@code add(2, 3)} unless a tool result is in the prompt, and then a fixed answer. The tools' and results'
 * rendering by the model's template, the reading of the call, and the responses (whole, streamed, through OpenAI's
 * SDK and LangChain4j's OpenAI module, whose tool loop runs the tool) are the server's real code; that the model
 * "decides" to call is built into its weights.
 */
class ToolCallingTest {
    static final String ADD = """
            {"type": "function", "function": {"name": "add", "description": "Adds two integers", "parameters": {"type": "object",
             "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}}}""";

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(ForcedToolModel.write(dir.resolve("forced.gguf"), ForcedToolModel.HERMES_JINJA), ServerSettings.defaults(),
                ModelOptions.defaults().threads(2));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String ask(String extra) {
        return "{\"model\": \"tiny\", \"temperature\": 0, \"max_tokens\": 16, \"messages\": [{\"role\": \"user\", \"content\": "
                + "\"What is 2 + 3?\"}]" + extra + "}";
    }

    @Test
    void aReplyThatCallsAToolHasToolCallsAndFinishReasonToolCalls() throws Exception {
        TestServer.Reply r = server.post("/v1/chat/completions", ask(", \"tools\": [" + ADD + "]"));
        assertEquals(200, r.status(), r.body());
        JsonNode choice = r.json().path("choices").get(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        JsonNode message = choice.path("message");
        assertTrue(message.path("content").isNull(), "nothing but the call: " + message);
        assertEquals(1, message.path("tool_calls").size());
        JsonNode call = message.path("tool_calls").get(0);
        assertTrue(call.path("id").asText().startsWith("call_"), call.toString());
        assertEquals("function", call.path("type").asText());
        assertEquals("add", call.path("function").path("name").asText());
        assertEquals(TestServer.json("{\"a\": 2, \"b\": 3}"), TestServer.json(call.path("function").path("arguments").asText()),
                "the arguments are a JSON object's text");
    }

    @Test
    void eachCallHasAnIdOfItsOwn() throws Exception {
        String first = server.post("/v1/chat/completions", ask(", \"tools\": [" + ADD + "]")).json().at("/choices/0/message/tool_calls/0/id")
                .asText();
        String second = server.post("/v1/chat/completions", ask(", \"tools\": [" + ADD + "]")).json().at("/choices/0/message/tool_calls/0/id")
                .asText();
        assertFalse(first.equals(second), first);
    }

    @Test
    void withoutToolsOrWithToolChoiceNoneTheReplyIsText() throws Exception {
        for (String extra : new String[] {"", ", \"tools\": [" + ADD + "], \"tool_choice\": \"none\""}) {
            TestServer.Reply r = server.post("/v1/chat/completions", ask(extra));
            assertEquals(200, r.status(), r.body());
            JsonNode choice = r.json().path("choices").get(0);
            assertEquals(ForcedToolModel.CALL, choice.at("/message/content").asText(), "calls are read only when tools are offered");
            assertFalse(choice.path("message").has("tool_calls"), "no tool_calls field, as OpenAI writes a text reply");
            assertEquals("stop", choice.path("finish_reason").asText());
        }
    }

    @Test
    void theToolsResultIsRenderedAndTheModelAnswers() throws Exception {
        String body = """
                {"model": "tiny", "temperature": 0, "max_tokens": 16, "tools": [%s], "messages": [
                 {"role": "user", "content": "What is 2 + 3?"},
                 {"role": "assistant", "content": null, "tool_calls": [{"id": "call_7", "type": "function",
                   "function": {"name": "add", "arguments": "{\\"a\\": 2, \\"b\\": 3}"}}]},
                 {"role": "tool", "tool_call_id": "call_7", "content": "5"}]}""".formatted(ADD);
        TestServer.Reply r = server.post("/v1/chat/completions", body);
        assertEquals(200, r.status(), r.body());
        assertEquals(ForcedToolModel.ANSWER, r.json().at("/choices/0/message/content").asText());
        assertEquals("stop", r.json().at("/choices/0/finish_reason").asText());
        // the prompt is the template's rendering of these messages and the tool, in Hugging Face's form
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", "call_7");
        call.put("type", "function");
        Map<String, Object> arguments = new LinkedHashMap<>(); // in the order the call gave them, as tojson writes them
        arguments.put("a", 2L);
        arguments.put("b", 3L);
        call.put("function", Map.of("name", "add", "arguments", arguments));
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "What is 2 + 3?"),
                Map.of("role", "assistant", "content", "", "tool_calls", List.of(call)),
                Map.of("role", "tool", "content", "5", "tool_call_id", "call_7", "name", "add"));
        @SuppressWarnings("unchecked")
        Map<String, Object> tool = Json.MAPPER.readValue(ADD, Map.class);
        String prompt = ((JinjaChatTemplate) server.model.chatFormat()).render(messages, List.of(tool), true, Map.of());
        assertTrue(prompt.contains("\"name\": \"add\"") && prompt.contains("<tool_response>\n5\n</tool_response>"), prompt);
        assertEquals(server.model.tokenizer().encode(prompt, false, true).length, r.json().at("/usage/prompt_tokens").asInt());
    }

    @Test
    void aStreamedCallArrivesAsToolCallDeltas() throws Exception {
        List<String> events = server.events("/v1/chat/completions", ask(", \"stream\": true, \"tools\": [" + ADD + "]"));
        assertEquals("[DONE]", events.getLast());
        StringBuilder content = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        String id = null, name = null, finish = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode choice = TestServer.json(e).path("choices").get(0);
            JsonNode delta = choice.path("delta");
            content.append(delta.path("content").asText(""));
            for (JsonNode c : delta.path("tool_calls")) {
                assertEquals(0, c.path("index").asInt());
                if (c.has("id")) {
                    assertEquals(null, id, "the id comes once");
                    id = c.get("id").asText();
                    name = c.at("/function/name").asText();
                    assertEquals("function", c.path("type").asText());
                }
                arguments.append(c.at("/function/arguments").asText(""));
            }
            if (!choice.path("finish_reason").isNull()) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertEquals("", content.toString(), "the call is not streamed as text");
        assertTrue(id != null && id.startsWith("call_"), String.valueOf(id));
        assertEquals("add", name);
        assertEquals(TestServer.json("{\"a\": 2, \"b\": 3}"), TestServer.json(arguments.toString()));
        assertEquals("tool_calls", finish);
    }

    @Test
    void openAisSdkReadsTheCallAndSendsTheResultBack() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("unused").timeout(Duration.ofSeconds(60)).build();
        try {
            FunctionDefinition add = FunctionDefinition.builder().name("add").description("Adds two integers")
                    .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty("properties", JsonValue.from(Map.of("a", Map.of("type", "integer"), "b",
                                    Map.of("type", "integer")))).build())
                    .build();
            ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("tiny").addUserMessage("What is 2 + 3?")
                    .addFunctionTool(add).temperature(0.0).maxCompletionTokens(16);
            ChatCompletion first = client.chat().completions().create(params.build());
            ChatCompletion.Choice choice = first.choices().getFirst();
            assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
            ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
            assertEquals("add", call.function().name());
            assertEquals(TestServer.json("{\"a\": 2, \"b\": 3}"), TestServer.json(call.function().arguments()));

            ChatCompletion second = client.chat().completions().create(params.addMessage(choice.message())
                    .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("5").build()).build());
            assertEquals(ForcedToolModel.ANSWER, second.choices().getFirst().message().content().orElseThrow());
            assertEquals(ChatCompletion.Choice.FinishReason.STOP, second.choices().getFirst().finishReason());

            ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("tiny").addUserMessage("What is 2 + 3?").addFunctionTool(add).temperature(0.0)
                            .maxCompletionTokens(16).build())) {
                s.stream().forEach(acc::accumulate);
            }
            ChatCompletion streamed = acc.chatCompletion();
            ChatCompletionMessageFunctionToolCall sc = streamed.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
            assertEquals("add", sc.function().name());
            assertEquals(TestServer.json("{\"a\": 2, \"b\": 3}"), TestServer.json(sc.function().arguments()));
            assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, streamed.choices().getFirst().finishReason());
        } finally {
            client.close();
        }
    }

    @Test
    void langChain4jsOpenAiModuleReadsTheCallAndSendsTheResultBack() {
        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("tiny").temperature(0.0)
                .maxTokens(16).timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        ToolSpecification add = ToolSpecification.builder().name("add").description("Adds two integers")
                .parameters(JsonObjectSchema.builder().addIntegerProperty("a").addIntegerProperty("b").required("a", "b").build()).build();
        UserMessage question = UserMessage.from("What is 2 + 3?");
        ChatResponse first = chat.chat(ChatRequest.builder().messages(question).toolSpecifications(add).build());
        assertEquals(FinishReason.TOOL_EXECUTION, first.finishReason());
        AiMessage call = first.aiMessage();
        ToolExecutionRequest r = call.toolExecutionRequests().getFirst();
        assertEquals("add", r.name());
        assertEquals(TestServer.json("{\"a\": 2, \"b\": 3}"), TestServer.json(r.arguments()));
        // LangChain4j's tool loop: the call and its result go back as an assistant and a tool message
        ChatResponse second = chat.chat(ChatRequest.builder().messages(question, call, ToolExecutionResultMessage.from(r, "5"))
                .toolSpecifications(add).build());
        assertEquals(FinishReason.STOP, second.finishReason());
        assertEquals(ForcedToolModel.ANSWER, second.aiMessage().text());
    }

    @Test
    void langChain4jsStreamingModelAssemblesTheCall() throws Exception {
        OpenAiStreamingChatModel chat = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("tiny")
                .temperature(0.0).maxTokens(16).timeout(Duration.ofSeconds(60)).build();
        ToolSpecification add = ToolSpecification.builder().name("add")
                .parameters(JsonObjectSchema.builder().addIntegerProperty("a").addIntegerProperty("b").build()).build();
        StringBuilder pieces = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        chat.chat(ChatRequest.builder().messages(UserMessage.from("2 + 3?")).toolSpecifications(add).build(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                pieces.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertEquals("", pieces.toString());
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());
        assertEquals("add", r.aiMessage().toolExecutionRequests().getFirst().name());
        assertEquals(TestServer.json("{\"a\": 2, \"b\": 3}"), TestServer.json(r.aiMessage().toolExecutionRequests().getFirst().arguments()));
    }

    /** ADD's parameters, which a forced call's arguments keep to. */
    static final String ADD_PARAMETERS = "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}},"
            + " \"required\": [\"a\", \"b\"]}";

    /**
     * "required" and a named function: the prompt ends in the call's opening and the grammar holds the rest, so the
     * model's own call token (which begins with the opening again) is refused and its other tokens, all alike to it,
     * are whatever the grammar allows: still one call of {@code add}, arguments valid, whole and streamed alike.
     */
    @Test
    void aForcedCallIsOneValidCallWholeAndStreamed() throws Exception {
        for (String choice : new String[] {"\"required\"", "{\"type\": \"function\", \"function\": {\"name\": \"add\"}}"}) {
            String body = "{\"model\": \"tiny\", \"temperature\": 0, \"max_tokens\": 200, \"messages\": [{\"role\": \"user\", \"content\": "
                    + "\"What is 2 + 3?\"}], \"tools\": [" + ADD + "], \"tool_choice\": " + choice;
            TestServer.Reply r = server.post("/v1/chat/completions", body + "}");
            assertEquals(200, r.status(), r.body());
            JsonNode c = r.json().at("/choices/0");
            assertEquals("tool_calls", c.path("finish_reason").asText(), c.toString());
            assertEquals(1, c.at("/message/tool_calls").size(), c.toString());
            assertEquals("add", c.at("/message/tool_calls/0/function/name").asText());
            String arguments = c.at("/message/tool_calls/0/function/arguments").asText();
            dev.panamax.transformer.sampling.grammar.SchemaCheck.assertValid(arguments, ADD_PARAMETERS, choice);
            StringBuilder streamed = new StringBuilder();
            String finish = null;
            for (String e : server.events("/v1/chat/completions", body + ", \"stream\": true}")) {
                if (!e.equals("[DONE]")) {
                    JsonNode ch = TestServer.json(e).at("/choices/0");
                    for (JsonNode d : ch.at("/delta/tool_calls")) {
                        streamed.append(d.at("/function/arguments").asText(""));
                    }
                    finish = ch.path("finish_reason").isTextual() ? ch.get("finish_reason").asText() : finish;
                }
            }
            assertEquals(arguments, streamed.toString(), choice);
            assertEquals("tool_calls", finish);
        }
    }

    /** "auto" beside a response format: the reply may be a call (this model's own, which the grammar allows) or the document. */
    @Test
    void autoBesideAResponseFormatStillCalls() throws Exception {
        TestServer.Reply r = server.post("/v1/chat/completions", ask(", \"tools\": [" + ADD + "], \"response_format\": {\"type\": \"json_object\"}"));
        assertEquals(200, r.status(), r.body());
        assertEquals("tool_calls", r.json().at("/choices/0/finish_reason").asText(), r.body());
        assertEquals(TestServer.json("{\"a\": 2, \"b\": 3}"), TestServer.json(r.json().at("/choices/0/message/tool_calls/0/function/arguments")
                .asText()));
    }

    @Test
    void malformedToolRequestsAre400sNamingTheField() throws Exception {
        String[][] cases = {
                {", \"tools\": {\"type\": \"function\"}", "tools"},
                {", \"tools\": [{\"type\": \"custom\", \"custom\": {\"name\": \"x\"}}]", "tools[0]"},
                {", \"tools\": [{\"type\": \"function\", \"function\": {\"description\": \"no name\"}}]", "tools[0].function.name"},
                {", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": 3}}]", "tools[0].function.parameters"},
                {", \"tools\": [" + ADD + ", " + ADD + "]", "tools[1].function.name"},
                {", \"tool_choice\": \"required\"", "tool_choice"},
                {", \"tools\": [" + ADD + "], \"tool_choice\": \"always\"", "tool_choice"},
                {", \"tools\": [" + ADD + "], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"mul\"}}", "tool_choice"},
                {", \"tools\": [" + ADD + "], \"tool_choice\": 3", "tool_choice"},
                {", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\", \"properties\":"
                        + " {\"s\": {\"type\": \"string\", \"pattern\": \"^a\"}}}}}], \"tool_choice\": \"required\"", "tools[0].function.parameters"},
        };
        for (String[] c : cases) {
            TestServer.Reply r = server.post("/v1/chat/completions", ask(c[0]));
            assertEquals(400, r.status(), c[0] + ": " + r.body());
            assertEquals(c[1], r.json().at("/error/param").asText(), c[0] + ": " + r.body());
        }
        String noId = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"tool\", \"content\": \"5\"}]}";
        TestServer.Reply r = server.post("/v1/chat/completions", noId);
        assertEquals(400, r.status(), r.body());
        assertEquals("messages[1].tool_call_id", r.json().at("/error/param").asText());
        String userCalls = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\", \"tool_calls\": []}]}";
        assertEquals("messages[0].tool_calls", server.post("/v1/chat/completions", userCalls).json().at("/error/param").asText());
    }
}
