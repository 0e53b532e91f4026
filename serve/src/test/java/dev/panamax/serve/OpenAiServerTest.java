package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.chat.ChatMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint over HTTP on a tiny random model, each answer checked against the high-level API's. */
@ExtendWith(Seeded.class)
class OpenAiServerTest {
    @TempDir
    Path dir;
    TestServer t;

    @BeforeEach
    void start(Random random) throws Exception {
        t = new TestServer(dir, random);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private static final String CHAT = """
            {"model": "tiny", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}],
             "temperature": 0, "max_tokens": 12%s}""";

    private Completion reference(int tokens) {
        return t.model.reply(List.of(ChatMessage.system("be brief"), ChatMessage.user("hello there")),
                GenerateOptions.greedy().maxTokens(tokens), s -> { });
    }

    @Test
    void aChatCompletionIsTheModelsReplyInOpenAisShape() throws Exception {
        TestServer.Reply r = t.post("/v1/chat/completions", CHAT.formatted(""));
        assertEquals(200, r.status(), r.body());
        Completion expected = reference(12);
        JsonNode choice = r.json().get("choices").get(0);
        assertEquals("chat.completion", r.json().get("object").asText());
        assertTrue(r.json().get("id").asText().startsWith("chatcmpl-"));
        assertEquals("tiny", r.json().get("model").asText());
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals(expected.text(), choice.get("message").get("content").asText());
        assertEquals("length", choice.get("finish_reason").asText());
        assertTrue(choice.has("logprobs") && choice.get("logprobs").isNull());
        JsonNode usage = r.json().get("usage");
        assertEquals(expected.promptTokens(), usage.get("prompt_tokens").asInt());
        assertEquals(12, usage.get("completion_tokens").asInt());
        assertEquals(expected.promptTokens() + 12, usage.get("total_tokens").asInt());
    }

    @Test
    void aStreamedChatSendsTheSameTextInChunksThenUsageThenDone() throws Exception {
        List<String> events = t.events("/v1/chat/completions", CHAT.formatted(", \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        assertEquals("[DONE]", events.getLast());
        JsonNode first = TestServer.json(events.getFirst());
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String e : events.subList(0, events.size() - 2)) {
            JsonNode choice = TestServer.json(e).get("choices").get(0);
            text.append(choice.get("delta").path("content").asText(""));
            if (!choice.get("finish_reason").isNull()) {
                finish = choice.get("finish_reason").asText();
            }
        }
        assertEquals(reference(12).text(), text.toString());
        assertEquals("length", finish);
        JsonNode usage = TestServer.json(events.get(events.size() - 2));
        assertEquals(0, usage.get("choices").size());
        assertEquals(12, usage.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void aStopStringEndsTheReplyWithFinishReasonStop() throws Exception {
        String full = reference(30).text();
        String stop = full.substring(8, 11);
        TestServer.Reply r = t.post("/v1/chat/completions", CHAT.formatted(", \"stop\": [\"" + stop + "\"]").replace("\"max_tokens\": 12", "\"max_tokens\": 30"));
        assertEquals(200, r.status(), r.body());
        JsonNode choice = r.json().get("choices").get(0);
        assertEquals(full.substring(0, full.indexOf(stop)), choice.get("message").get("content").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
    }

    @Test
    void aSeedFixesASampledReply() throws Exception {
        String body = CHAT.replace("\"temperature\": 0", "\"temperature\": 1.3, \"top_p\": 0.9, \"seed\": %d");
        String a = t.post("/v1/chat/completions", body.formatted(5, "")).json().at("/choices/0/message/content").asText();
        assertEquals(a, t.post("/v1/chat/completions", body.formatted(5, "")).json().at("/choices/0/message/content").asText());
        assertNotEquals(a, t.post("/v1/chat/completions", body.formatted(6, "")).json().at("/choices/0/message/content").asText());
    }

    @Test
    void withoutBatchingEachRequestOnASessionAnswersTheSame(Random random) throws Exception {
        try (TestServer sessions = new TestServer(dir.resolve("sessions"), random, ServerSettings.defaults().batched(false))) {
            String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}], \"max_tokens\": 9, \"temperature\": 0}";
            String expected = sessions.model.reply(List.of(ChatMessage.user("hello")), GenerateOptions.greedy().maxTokens(9), s -> { }).text();
            assertEquals(expected, sessions.post("/v1/chat/completions", body).json().at("/choices/0/message/content").asText());
            assertEquals(expected, sessions.post("/v1/chat/completions", body).json().at("/choices/0/message/content").asText(),
                    "again, from the session's cache");
            assertEquals(1, sessions.server.sessions());
        }
    }

    @Test
    void aCompletionContinuesThePromptWholeOrStreamed() throws Exception {
        String body = "{\"model\": \"tiny\", \"prompt\": \"once upon a time\", \"max_tokens\": 10, \"temperature\": 0%s}";
        String expected = t.model.generate("once upon a time", GenerateOptions.greedy().maxTokens(10));
        TestServer.Reply r = t.post("/v1/completions", body.formatted(""));
        assertEquals(200, r.status(), r.body());
        assertEquals("text_completion", r.json().get("object").asText());
        assertEquals(expected, r.json().at("/choices/0/text").asText());
        assertEquals("length", r.json().at("/choices/0/finish_reason").asText());
        assertEquals(10, r.json().at("/usage/completion_tokens").asInt());
        StringBuilder streamed = new StringBuilder();
        List<String> events = t.events("/v1/completions", body.formatted(", \"stream\": true"));
        for (String e : events.subList(0, events.size() - 1)) {
            streamed.append(TestServer.json(e).at("/choices/0/text").asText());
        }
        assertEquals(expected, streamed.toString());
    }

    @Test
    void embeddingsAreTheModelsUnitVectorsAsFloatsOrBase64() throws Exception {
        List<float[]> expected = t.model.embed(List.of("a cat", "zebras graze"), true);
        TestServer.Reply r = t.post("/v1/embeddings", "{\"model\": \"tiny\", \"input\": [\"a cat\", \"zebras graze\"]}");
        assertEquals(200, r.status(), r.body());
        assertEquals("list", r.json().get("object").asText());
        for (int i = 0; i < 2; i++) {
            JsonNode v = r.json().get("data").get(i).get("embedding");
            float[] got = new float[v.size()];
            for (int j = 0; j < got.length; j++) {
                got[j] = (float) v.get(j).asDouble();
            }
            assertArrayEquals(expected.get(i), got);
        }
        assertTrue(r.json().at("/usage/prompt_tokens").asInt() > 2);
        TestServer.Reply b = t.post("/v1/embeddings", "{\"input\": \"a cat\", \"encoding_format\": \"base64\"}");
        byte[] bytes = Base64.getDecoder().decode(b.json().at("/data/0/embedding").asText());
        float[] decoded = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(decoded);
        assertArrayEquals(expected.getFirst(), decoded);
    }

    @Test
    void modelsHealthAndThePageAnswer() throws Exception {
        TestServer.Reply models = t.get("/v1/models");
        assertEquals("list", models.json().get("object").asText());
        assertEquals("tiny", models.json().at("/data/0/id").asText());
        assertEquals("model", models.json().at("/data/0/object").asText());
        assertEquals("tiny", t.get("/v1/models/tiny").json().get("id").asText());
        assertEquals(404, t.get("/v1/models/other").status());
        TestServer.Reply health = t.get("/health");
        assertEquals(200, health.status());
        assertEquals("ok", health.json().get("status").asText());
        TestServer.Reply page = t.get("/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<title>Panamax chat</title>"), page.body());
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() throws Exception {
        TestServer.Reply r = t.post("/tokenize", "{\"content\": \"hello world\", \"add_special\": true}");
        assertEquals(200, r.status(), r.body());
        int[] ids = new int[r.json().get("tokens").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.json().get("tokens").get(i).asInt();
        }
        assertArrayEquals(t.model.tokenizer().encode("hello world", true, true), ids);
        TestServer.Reply pieces = t.post("/tokenize", "{\"content\": \"hello\", \"with_pieces\": true}");
        assertTrue(pieces.json().at("/tokens/0/piece").isTextual(), pieces.body());
        StringBuilder list = new StringBuilder();
        for (int id : ids) {
            list.append(list.isEmpty() ? "" : ",").append(id);
        }
        TestServer.Reply text = t.post("/detokenize", "{\"tokens\": [" + list + "]}");
        assertEquals(t.model.tokenizer().decode(ids), text.json().get("content").asText());
        assertTrue(text.json().get("content").asText().contains("hello world"));
        assertFalse(t.post("/detokenize", "{\"tokens\": [99999]}").status() == 200);
    }
}
