package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.chat.ChatMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenAI's own Java SDK against the server on stories260K: chat whole and streamed, completions, embeddings, an error. */
class OpenAiSdkTest {
    static RealServer real;
    static OpenAIClient client;

    /** The SDK's own retries (2 by default) stay on: they cover a pooled connection the server closed as idle. */
    @BeforeAll
    static void start() throws Exception {
        real = new RealServer(ServerSettings.defaults().apiKey("test-key"));
        client = OpenAIOkHttpClient.builder().baseUrl(real.baseUrl()).apiKey("test-key").timeout(Duration.ofSeconds(60)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (real != null) {
            real.close();
        }
    }

    private static ChatCompletionCreateParams chat() {
        return ChatCompletionCreateParams.builder().model(RealServer.MODEL).addUserMessage("Once upon a time")
                .maxCompletionTokens(24).temperature(0.0).build();
    }

    private static String expectedReply() {
        return real.model.reply(List.of(ChatMessage.user("Once upon a time")), GenerateOptions.greedy().maxTokens(24), s -> { }).text();
    }

    @Test
    void logprobsReadAsTheSdksTypes() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(RealServer.MODEL)
                .addUserMessage("Once upon a time").maxCompletionTokens(8).temperature(0.0).logprobs(true).topLogprobs(3).build());
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertEquals(c.usage().orElseThrow().completionTokens(), content.size());
        for (ChatCompletionTokenLogprob t : content) {
            assertEquals(3, t.topLogprobs().size());
            assertEquals(t.token(), t.topLogprobs().getFirst().token(), "greedy: the most likely token is drawn");
            assertTrue(t.logprob() < 0 && t.topLogprobs().get(1).logprob() <= t.logprob(), t.toString());
            List<Long> bytes = t.bytes().orElseThrow();
            byte[] b = new byte[bytes.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = bytes.get(i).byteValue();
            }
            assertEquals(t.token(), new String(b, java.nio.charset.StandardCharsets.UTF_8), "bytes are the token's UTF-8");
        }
        Completion text = client.completions().create(CompletionCreateParams.builder().model(RealServer.MODEL).prompt("Once upon a time")
                .maxTokens(6).temperature(0.0).logprobs(2).build());
        CompletionChoice.Logprobs lp = text.choices().getFirst().logprobs().orElseThrow();
        assertEquals(6, lp.tokens().orElseThrow().size());
        assertEquals(6, lp.tokenLogprobs().orElseThrow().size());
        assertEquals(2, lp.topLogprobs().orElseThrow().getFirst()._additionalProperties().size());
    }

    @Test
    void aChatCompletionIsTheModelsGreedyReply() {
        ChatCompletion c = client.chat().completions().create(chat());
        assertEquals(expectedReply(), c.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().getFirst().finishReason());
        assertEquals(24, c.usage().orElseThrow().completionTokens());
        assertEquals(RealServer.MODEL, c.model());
    }

    @Test
    void aStreamedChatCompletionGivesTheSameTextInPieces() {
        StringBuilder text = new StringBuilder();
        int[] chunks = {0};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat())) {
            stream.stream().forEach(chunk -> {
                chunks[0]++;
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }
        assertEquals(expectedReply(), text.toString());
        assertTrue(chunks[0] > 5, chunks[0] + " chunks");
    }

    @Test
    void aCompletionContinuesThePrompt() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model(RealServer.MODEL).prompt("Once upon a time")
                .maxTokens(30).temperature(0.0).build());
        assertEquals(real.model.generate("Once upon a time", GenerateOptions.greedy().maxTokens(30)), c.choices().getFirst().text());
        assertTrue(c.choices().getFirst().text().length() > 20, c.choices().getFirst().text());
    }

    @Test
    void embeddingsAreTheModelsUnitVectors() {
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model(RealServer.MODEL)
                .inputOfArrayOfStrings(List.of("a little girl", "a big dog")).build());
        List<float[]> expected = real.model.embed(List.of("a little girl", "a big dog"), true);
        for (int i = 0; i < 2; i++) {
            List<Float> got = r.data().get(i).embedding();
            float[] v = new float[got.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] = got.get(j);
            }
            assertArrayEquals(expected.get(i), v);
        }
    }

    @Test
    void anUnknownModelIsA400TheSdkRaises() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("hi").build()));
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("'gpt-4o' is not served"), e.getMessage());
    }
}
