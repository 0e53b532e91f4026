package dev.panamax.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.chat.ChatModels;
import dev.panamax.transformer.chat.ForcedToolModel;
import dev.panamax.transformer.chat.LlamaCppTemplates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool calling through LangChain4j itself: an {@link AiServices} assistant with a {@code @Tool} method on
 * {@link ForcedToolModel}, a model whose weights make it call the tool and then answer (so these tests prove
 * the rendering of tools and results into the template, the reading of the call, and LangChain4j's loop, not
 * that a model decides well), once with the tests' own Hermes-style template and once with Qwen 2.5's real one
 * where llama.cpp's source is at hand.
 */
@ExtendWith(Seeded.class)
class PanamaxToolCallingTest {
    @TempDir
    Path dir;

    interface Assistant {
        String chat(String message);
    }

    static final class Calculator {
        final List<String> calls = new ArrayList<>();

        @Tool("Adds two integers")
        int add(@P(name = "a", value = "the first") int a, @P(name = "b", value = "the second") int b) {
            calls.add(a + "+" + b);
            return a + b;
        }
    }

    @Test
    void anAiServiceCallsTheToolAndAnswersWithItsResult() throws Exception {
        answersWithTheTool(ForcedToolModel.HERMES_JINJA);
    }

    @Test
    void qwen25sOwnTemplateRendersTheToolsAndTheResult() throws Exception {
        Path qwen = LlamaCppTemplates.require("Qwen-Qwen2.5-7B-Instruct.jinja");
        answersWithTheTool(Files.readString(qwen));
    }

    private void answersWithTheTool(String template) throws Exception {
        try (LanguageModel model = open(template);
             PanamaxChatModel chat = PanamaxChatModel.builder().languageModel(model).temperature(0.0).maxTokens(16).build()) {
            Calculator calculator = new Calculator();
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(chat).tools(calculator).build();
            assertEquals(ForcedToolModel.ANSWER, assistant.chat("What is 2 + 3?"));
            assertEquals(List.of("2+3"), calculator.calls, "the tool ran once, with the model's arguments");
        }
    }

    @Test
    void theResponseCarriesTheCallAndTheResultGoesBackAsAToolMessage() throws Exception {
        try (LanguageModel model = open(ForcedToolModel.HERMES_JINJA);
             PanamaxChatModel chat = PanamaxChatModel.builder().languageModel(model).temperature(0.0).maxTokens(16).build()) {
            ToolSpecification add = ToolSpecification.builder().name("add").description("Adds two integers")
                    .parameters(JsonObjectSchema.builder().addIntegerProperty("a").addIntegerProperty("b").required("a", "b").build())
                    .build();
            UserMessage question = UserMessage.from("What is 2 + 3?");
            ChatResponse first = chat.chat(ChatRequest.builder().messages(question).toolSpecifications(add).build());
            assertEquals(FinishReason.TOOL_EXECUTION, first.finishReason());
            AiMessage call = first.aiMessage();
            assertNull(call.text(), "nothing but the call");
            assertEquals(1, call.toolExecutionRequests().size());
            ToolExecutionRequest r = call.toolExecutionRequests().getFirst();
            assertEquals("add", r.name());
            assertEquals("{\"a\":2,\"b\":3}", r.arguments());
            ChatResponse second = chat.chat(ChatRequest.builder().messages(question, call, ToolExecutionResultMessage.from(r, "5"))
                    .toolSpecifications(add).build());
            assertEquals(FinishReason.STOP, second.finishReason());
            assertEquals(ForcedToolModel.ANSWER, second.aiMessage().text());
            assertFalse(second.aiMessage().hasToolExecutionRequests());
        }
    }

    @Test
    void streamingHoldsTheCallBackAndDeliversItInTheCompleteResponse() throws Exception {
        try (LanguageModel model = open(ForcedToolModel.HERMES_JINJA);
             PanamaxStreamingChatModel chat = PanamaxStreamingChatModel.builder().languageModel(model).temperature(0.0).maxTokens(16)
                     .build()) {
            ToolSpecification add = ToolSpecification.builder().name("add")
                    .parameters(JsonObjectSchema.builder().addIntegerProperty("a").addIntegerProperty("b").build()).build();
            List<String> pieces = new ArrayList<>();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            chat.chat(ChatRequest.builder().messages(UserMessage.from("2 + 3?")).toolSpecifications(add).build(),
                    new StreamingChatResponseHandler() {
                        @Override
                        public void onPartialResponse(String partial) {
                            pieces.add(partial);
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
            ChatResponse r = done.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(), pieces, "the call is not streamed as text");
            assertEquals("add", r.aiMessage().toolExecutionRequests().getFirst().name());
        }
    }

    @Test
    void toolsWithATemplateThatDefinesNoCallSyntaxAreRefused(Random random) throws Exception {
        try (LanguageModel model = LanguageModel.open(ChatModels.write(dir.resolve("chatml.gguf"), random, ChatModels.CHATML_JINJA),
                ModelOptions.defaults().threads(2));
             PanamaxChatModel chat = PanamaxChatModel.builder().languageModel(model).temperature(0.0).maxTokens(4).build()) {
            ChatRequest withTool = ChatRequest.builder().messages(UserMessage.from("weather?"))
                    .toolSpecifications(ToolSpecification.builder().name("weather").description("the weather").build()).build();
            var e = assertThrows(UnsupportedFeatureException.class, () -> chat.chat(withTool));
            assertTrue(e.getMessage().contains("<tool_call>"), e.getMessage());
        }
    }

    private LanguageModel open(String template) throws Exception {
        return LanguageModel.open(ForcedToolModel.write(dir.resolve("forced.gguf"), template), ModelOptions.defaults().threads(2));
    }
}
