package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.chat.ChatMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI module against the server on stories260K: chat, streaming chat, completions, embeddings, an error. */
class LangChain4jClientTest {
    /** A short context: LangChain4j's completion model sets no token limit, so its reply runs to an end token or the context. */
    static final int CONTEXT = 128;
    static RealServer real;

    @BeforeAll
    static void start() throws Exception {
        real = new RealServer(ServerSettings.defaults(), CONTEXT);
    }

    @AfterAll
    static void stop() {
        if (real != null) {
            real.close();
        }
    }

    private static String expectedReply(int tokens) {
        return real.model.reply(List.of(ChatMessage.user("Once upon a time")), GenerateOptions.greedy().maxTokens(tokens), s -> { }).text();
    }

    @Test
    void aChatModelGetsTheModelsGreedyReply() {
        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(real.baseUrl()).apiKey("unused").modelName(RealServer.MODEL)
                .temperature(0.0).maxTokens(20).timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        ChatResponse r = chat.chat(UserMessage.from("Once upon a time"));
        assertEquals(expectedReply(20), r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(20, r.tokenUsage().outputTokenCount());
    }

    @Test
    void aStreamingChatModelGetsTheSameReplyInPieces() throws Exception {
        OpenAiStreamingChatModel chat = OpenAiStreamingChatModel.builder().baseUrl(real.baseUrl()).apiKey("unused")
                .modelName(RealServer.MODEL).temperature(0.0).maxTokens(20).timeout(Duration.ofSeconds(60)).build();
        StringBuilder pieces = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        chat.chat(List.of(UserMessage.from("Once upon a time")), new StreamingChatResponseHandler() {
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
        assertEquals(expectedReply(20), pieces.toString());
        assertEquals(pieces.toString(), r.aiMessage().text());
    }

    @Test
    void aLanguageModelCompletesThePrompt() {
        OpenAiLanguageModel lm = OpenAiLanguageModel.builder().baseUrl(real.baseUrl()).apiKey("unused").modelName(RealServer.MODEL)
                .temperature(0.0).timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        String text = lm.generate("Once upon a time").content();
        int prompt = real.model.tokenizer().encode("Once upon a time", true, false).length;
        String expected = real.model.generate("Once upon a time", GenerateOptions.greedy().maxTokens(CONTEXT - prompt + 1));
        assertEquals(expected, text);
        assertTrue(text.length() > 20, text);
    }

    @Test
    void anEmbeddingModelGetsTheModelsUnitVectors() {
        OpenAiEmbeddingModel embedder = OpenAiEmbeddingModel.builder().baseUrl(real.baseUrl()).apiKey("unused").modelName(RealServer.MODEL)
                .timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        Embedding e = embedder.embed("a little girl").content();
        assertArrayEquals(real.model.embed(List.of("a little girl"), true).getFirst(), e.vector());
    }

    @Test
    void aBadRequestIsAnErrorWithTheServersMessage() {
        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(real.baseUrl()).apiKey("unused").modelName(RealServer.MODEL)
                .temperature(5.0).maxRetries(0).timeout(Duration.ofSeconds(60)).build();
        RuntimeException e = assertThrows(RuntimeException.class, () -> chat.chat(UserMessage.from("hi")));
        assertTrue(String.valueOf(e.getMessage()).contains("temperature"), e.toString());
    }
}
