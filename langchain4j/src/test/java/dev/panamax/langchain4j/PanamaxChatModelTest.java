package dev.panamax.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.panamax.tensor.testing.Models;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.chat.ChatMessage;
import dev.panamax.transformer.chat.ChatModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat models driven by LangChain4j itself (AiServices, chat memory, a streaming handler), on a
 * tiny random ChatML model the test writes (greedy replies never end by themselves, so they run to
 * the token limit) and on stories260K when the shared models are there. The expected replies come
 * from Panamax's own API on the same conversation.
 */
@ExtendWith(Seeded.class)
class PanamaxChatModelTest {
    private static final int TOKENS = 8;

    @TempDir
    Path dir;
    LanguageModel model;

    interface Assistant {
        String chat(String message);
    }

    interface TerseAssistant {
        @SystemMessage("Answer in one word.")
        String chat(String message);
    }

    @BeforeEach
    void open(Random random) throws Exception {
        model = LanguageModel.open(ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA),
                ModelOptions.defaults().threads(2));
    }

    @AfterEach
    void close() {
        model.close();
    }

    private PanamaxChatModel greedyChat() {
        return PanamaxChatModel.builder().languageModel(model).temperature(0.0).maxTokens(TOKENS).build();
    }

    private String expected(ChatMessage... conversation) {
        return model.reply(List.of(conversation), GenerateOptions.greedy().maxTokens(TOKENS), t -> { }).text();
    }

    @Test
    void anAiServiceAnswersWithTheModelsReply() {
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(greedyChat()).build();
        String answer = assistant.chat("hello there");
        assertFalse(answer.isBlank());
        assertEquals(expected(ChatMessage.user("hello there")), answer);
    }

    @Test
    void anAiServicesSystemMessageAndMemoryReachTheTemplate() {
        TerseAssistant assistant = AiServices.builder(TerseAssistant.class).chatModel(greedyChat())
                .chatMemory(MessageWindowChatMemory.withMaxMessages(10)).build();
        String first = assistant.chat("hi");
        String second = assistant.chat("and then");
        ChatMessage system = ChatMessage.system("Answer in one word.");
        assertEquals(expected(system, ChatMessage.user("hi")), first);
        assertEquals(expected(system, ChatMessage.user("hi"), ChatMessage.assistant(first), ChatMessage.user("and then")), second);
    }

    @Test
    void theResponseReportsTokensAndWhyItStopped() {
        ChatResponse r = greedyChat().chat(ChatRequest.builder().messages(UserMessage.from("count")).build());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(TOKENS, r.tokenUsage().outputTokenCount());
        assertTrue(r.tokenUsage().inputTokenCount() > 3);
        assertEquals("chat.gguf", r.modelName());
    }

    @Test
    void aRequestsOwnParametersOverrideTheBuilders() {
        String full = expected(ChatMessage.user("go"));
        String stop = full.substring(2, 4);
        ChatResponse r = greedyChat().chat(ChatRequest.builder().messages(UserMessage.from("go")).stopSequences(List.of(stop)).build());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(full.substring(0, full.indexOf(stop)), r.aiMessage().text());
        ChatResponse shorter = greedyChat().chat(ChatRequest.builder().messages(UserMessage.from("go")).maxOutputTokens(3).build());
        assertEquals(3, shorter.tokenUsage().outputTokenCount());
    }

    @Test
    void aStreamingHandlerGetsThePiecesThenTheWholeReply() throws Exception {
        PanamaxStreamingChatModel streaming = PanamaxStreamingChatModel.builder().languageModel(model).temperature(0.0)
                .maxTokens(TOKENS).build();
        List<String> pieces = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(List.of(UserMessage.from("stream it")), new StreamingChatResponseHandler() {
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
        assertTrue(pieces.size() > 1, "streamed in pieces: " + pieces);
        assertEquals(String.join("", pieces), r.aiMessage().text());
        assertEquals(expected(ChatMessage.user("stream it")), r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void aStreamingFailureGoesToOnError() throws Exception {
        PanamaxStreamingChatModel streaming = PanamaxStreamingChatModel.builder().languageModel(model).build();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        ChatRequest tooLong = ChatRequest.builder().messages(UserMessage.from("word ".repeat(600))).build();
        streaming.chat(tooLong, new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                error.complete(null);
            }

            @Override
            public void onError(Throwable e) {
                error.complete(e);
            }
        });
        Throwable e = error.get(30, TimeUnit.SECONDS);
        assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("context"), String.valueOf(e));
    }

    @Test
    void stories260KAnswersAnAiService() {
        Path stories = Models.require("stories260K-f32.gguf");
        try (PanamaxChatModel chat = PanamaxChatModel.builder().modelPath(stories).chatTemplate("llama2").threadCount(2)
                .temperature(0.0).maxTokens(24).build()) {
            String answer = AiServices.builder(Assistant.class).chatModel(chat).build().chat("Once upon a time");
            assertFalse(answer.isBlank());
            assertEquals(chat.languageModel().reply(List.of(ChatMessage.user("Once upon a time")), GenerateOptions.greedy().maxTokens(24),
                    t -> { }).text(), answer);
        }
    }
}
