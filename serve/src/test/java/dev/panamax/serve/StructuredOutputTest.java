package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.sampling.grammar.SchemaCheck;
import dev.panamax.transformer.sampling.grammar.Schemas;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code response_format}: JSON Schema documents from a random fixture model, whole and streamed, checked by a
 * validator; and OpenAI's SDK's structured outputs (a schema made from a Java class, the reply read back as one)
 * against stories260K.
 */
@ExtendWith(Seeded.class)
class StructuredOutputTest {
    @TempDir
    Path dir;

    @Test
    void schemaRepliesValidateWholeAndStreamed(Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().capacity(2, 4))) {
            int complete = 0;
            for (int i = 0; i < 6; i++) {
                long seed = random.nextLong();
                String body = "\"messages\": [{\"role\": \"user\", \"content\": \"the reading\"}], \"temperature\": 1, \"seed\": " + seed
                        + ", \"max_tokens\": 420, \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"reading\","
                        + " \"strict\": true, \"schema\": " + Schemas.NO_FREE_STRINGS + "}}}";
                TestServer.Reply whole = t.post("/v1/chat/completions", "{" + body);
                assertEquals(200, whole.status(), whole.body());
                String content = whole.json().at("/choices/0/message/content").asText();
                StringBuilder streamed = new StringBuilder();
                String finish = null;
                for (String e : t.events("/v1/chat/completions", "{\"stream\": true, " + body)) {
                    if (!e.equals("[DONE]")) {
                        JsonNode choice = TestServer.json(e).at("/choices/0");
                        streamed.append(choice.path("delta").path("content").asText(""));
                        finish = choice.path("finish_reason").isTextual() ? choice.get("finish_reason").asText() : finish;
                    }
                }
                assertEquals(content, streamed.toString(), "seed " + seed);
                assertEquals(whole.json().at("/choices/0/finish_reason").asText(), finish);
                if (finish.equals("stop")) {
                    SchemaCheck.assertValid(content, Schemas.NO_FREE_STRINGS, "seed " + seed);
                    complete++;
                } else {
                    assertEquals("length", finish);
                }
            }
            assertTrue(complete >= 3, complete + " of 6 replies completed");
            TestServer.Reply plain = t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"seed\": 1,"
                    + " \"max_tokens\": 30, \"response_format\": {\"type\": \"text\"}}");
            assertEquals(200, plain.status(), plain.body());
        }
    }

    /** What the SDK makes a schema of: every field required, no other properties. */
    public static class Reading {
        public Level level;
        public int count;
        public boolean ok;
        public List<Point> points;
    }

    /** A nested class of {@link Reading}. */
    public static class Point {
        public int x;
        public int y;
    }

    /** An enum: a string with {@code enum} in the schema. */
    public enum Level { LOW, MID, HIGH }

    @Test
    void theOpenAiSdksStructuredOutputsReadTheReplyAsTheClass() throws Exception {
        try (RealServer real = new RealServer(ServerSettings.defaults())) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(real.baseUrl()).apiKey("none").timeout(Duration.ofSeconds(120)).build();
            try {
                StructuredChatCompletion<Reading> done = null;
                for (long seed = 1; seed <= 16 && done == null; seed++) {
                    StructuredChatCompletionCreateParams<Reading> params = ChatCompletionCreateParams.builder().model(RealServer.MODEL)
                            .addUserMessage("Once upon a time").responseFormat(Reading.class).temperature(1.0).seed(seed)
                            .maxCompletionTokens(400).build();
                    StructuredChatCompletion<Reading> c = client.chat().completions().create(params);
                    if (ChatCompletion.Choice.FinishReason.STOP.equals(c.choices().getFirst().finishReason())) {
                        done = c;
                    } else {
                        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().getFirst().finishReason());
                    }
                }
                assertNotNull(done, "none of 16 seeded replies completed within 400 tokens");
                Reading r = done.choices().getFirst().message().content().orElseThrow();
                assertNotNull(r.level);
                assertNotNull(r.points);
                for (Point p : r.points) {
                    assertNotNull(p);
                }
            } finally {
                client.close();
            }
        }
    }
}
