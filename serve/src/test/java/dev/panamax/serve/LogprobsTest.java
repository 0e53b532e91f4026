package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.Generation;
import dev.panamax.transformer.api.Session;
import dev.panamax.transformer.chat.ChatFormat;
import dev.panamax.transformer.chat.ChatMessage;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logprobs} against a reference the test computes: the same generation run on a session of the model's own
 * ({@link Generation#onSampled} hands it the logits each token was drawn from), its log-softmax taken here in double
 * and its alternatives ranked here. The server runs one session per request ({@code batched(false)}) on a fresh
 * server, so its forward passes are the reference's, step for step, and the float logits are the same; the two
 * double log-softmaxes then differ only by double rounding over the vocabulary (far below 1e-9).
 */
@ExtendWith(Seeded.class)
class LogprobsTest {
    static final double DOUBLE_ROUNDING = 1e-9;

    @TempDir
    Path dir;

    /** One token's reference: its id, log-probability and the ids of the best {@code top}, best first (lower id on ties). */
    record Expected(int token, double logprob, int[] best, double[] bestLogprobs) {
    }

    private static List<Expected> reference(TestServer server, int[] prompt, GenerateOptions options, int top) {
        Tokenizer tokenizer = server.model.tokenizer();
        List<Expected> out = new ArrayList<>();
        try (Session s = server.model.newSession(); Generation g = s.start(prompt, options, piece -> { }, ServerSettings.defaults().prefillChunk())) {
            g.onSampled((token, logits) -> {
                if (tokenizer.isEog(token)) {
                    return;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (float l : logits) {
                    max = Math.max(max, l);
                }
                double sum = 0;
                for (float l : logits) {
                    sum += Math.exp(l - max);
                }
                double logZ = max + Math.log(sum);
                int[] best = IntStream.range(0, logits.length).boxed()
                        .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i)).limit(top)
                        .mapToInt(Integer::intValue).toArray();
                double[] bestLogprobs = new double[top];
                for (int j = 0; j < top; j++) {
                    bestLogprobs[j] = logits[best[j]] - logZ;
                }
                out.add(new Expected(token, logits[token] - logZ, best, bestLogprobs));
            });
            while (!g.finished()) {
                g.step();
            }
        }
        return out;
    }

    private static String text(Tokenizer tokenizer, int id) {
        return new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
    }

    @Test
    void chatLogprobsAreTheModelsLogSoftmaxBeforeTemperature(Random random) throws Exception {
        try (TestServer server = new TestServer(dir, random, ServerSettings.defaults().batched(false))) {
            int top = 1 + random.nextInt(Logprobs.MAX_CHAT);
            long seed = random.nextLong();
            TestServer.Reply r = server.post("/v1/chat/completions", "{\"model\": \"tiny\", \"temperature\": 0.7, \"seed\": " + seed
                    + ", \"max_tokens\": 12, \"logprobs\": true, \"top_logprobs\": " + top
                    + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story\"}]}");
            assertEquals(200, r.status(), r.body());
            ChatFormat format = server.model.chatFormat();
            int[] prompt = server.model.tokenizer().encode(format.format(List.of(ChatMessage.user("Tell me a story")), true),
                    format.tokenizerAddsBos(), true);
            GenerateOptions options = Requests.options(12, "max_tokens", 0.7, null, null, null, null, seed, null, null);
            List<Expected> expected = reference(server, prompt, options, top);
            JsonNode content = r.json().at("/choices/0/logprobs/content");
            assertEquals(expected.size(), content.size(), r.body());
            assertEquals(r.json().at("/usage/completion_tokens").asInt() - ("stop".equals(r.json().at("/choices/0/finish_reason").asText())
                    ? 1 : 0), content.size(), "one entry per generated token, the end token left out");
            Tokenizer tokenizer = server.model.tokenizer();
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                JsonNode entry = content.get(i);
                assertEquals(text(tokenizer, e.token()), entry.path("token").asText(), "token " + i);
                assertEquals(e.logprob(), entry.path("logprob").asDouble(), DOUBLE_ROUNDING, "token " + i);
                assertEquals(tokenizer.tokenBytes(e.token()).length, entry.path("bytes").size());
                JsonNode alternatives = entry.path("top_logprobs");
                assertEquals(top, alternatives.size());
                for (int j = 0; j < top; j++) {
                    assertEquals(text(tokenizer, e.best()[j]), alternatives.get(j).path("token").asText(), "token " + i + ", alternative " + j);
                    assertEquals(e.bestLogprobs()[j], alternatives.get(j).path("logprob").asDouble(), DOUBLE_ROUNDING);
                }
                assertTrue(entry.path("logprob").asDouble() <= alternatives.get(0).path("logprob").asDouble());
            }
        }
    }

    @Test
    void streamedChatLogprobsAreTheSameEntriesInPieces(Random random) throws Exception {
        try (TestServer server = new TestServer(dir, random, ServerSettings.defaults())) {
            String body = "{\"model\": \"tiny\", \"temperature\": 0, \"max_tokens\": 10, \"logprobs\": true, \"top_logprobs\": 2,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]%s}";
            // the batch keeps a request's cache for the next prompt that starts the same: this first request fills it, so
            // that the two compared below both reuse the same prefix and run the prompt's last token alone (from scratch,
            // that token runs in the prompt's rows, which the CPU backend may round differently)
            server.post("/v1/chat/completions", body.formatted(""));
            JsonNode whole = server.post("/v1/chat/completions", body.formatted("")).json().at("/choices/0/logprobs/content");
            List<JsonNode> pieces = new ArrayList<>();
            for (String e : server.events("/v1/chat/completions", body.formatted(", \"stream\": true"))) {
                if (!e.equals("[DONE]")) {
                    TestServer.json(e).at("/choices/0/logprobs/content").forEach(pieces::add);
                }
            }
            assertEquals(10, whole.size());
            assertEquals(whole.size(), pieces.size());
            for (int i = 0; i < pieces.size(); i++) {
                assertEquals(whole.get(i).path("token"), pieces.get(i).path("token"));
                assertEquals(whole.get(i).path("logprob").asDouble(), pieces.get(i).path("logprob").asDouble(), DOUBLE_ROUNDING);
                assertEquals(whole.get(i).path("top_logprobs").get(0).path("token"), whole.get(i).path("token"), "greedy: the best is drawn");
            }
        }
    }

    @Test
    void completionLogprobsHaveTheLegacyShape(Random random) throws Exception {
        try (TestServer server = new TestServer(dir, random, ServerSettings.defaults().batched(false))) {
            TestServer.Reply r = server.post("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"Once upon\", \"temperature\": 0,"
                    + " \"max_tokens\": 8, \"logprobs\": 3}");
            assertEquals(200, r.status(), r.body());
            int[] prompt = server.model.tokenizer().encode("Once upon", true, false);
            List<Expected> expected = reference(server, prompt, GenerateOptions.greedy().maxTokens(8), 3);
            JsonNode lp = r.json().at("/choices/0/logprobs");
            Tokenizer tokenizer = server.model.tokenizer();
            assertEquals(expected.size(), lp.path("tokens").size());
            int offset = 0;
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                assertEquals(text(tokenizer, e.token()), lp.path("tokens").get(i).asText());
                assertEquals(e.logprob(), lp.path("token_logprobs").get(i).asDouble(), DOUBLE_ROUNDING);
                JsonNode alternatives = lp.path("top_logprobs").get(i);
                assertEquals(e.bestLogprobs()[0], alternatives.path(text(tokenizer, e.best()[0])).asDouble(), DOUBLE_ROUNDING);
                assertEquals(offset, lp.path("text_offset").get(i).asInt());
                offset += text(tokenizer, e.token()).length();
            }
        }
    }

    @Test
    void badLogprobsFieldsAre400s(Random random) throws Exception {
        try (TestServer server = new TestServer(dir, random)) {
            String chat = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], ";
            String[][] cases = {
                    {"/v1/chat/completions", chat + "\"top_logprobs\": 2}", "top_logprobs"},
                    {"/v1/chat/completions", chat + "\"logprobs\": true, \"top_logprobs\": 21}", "top_logprobs"},
                    {"/v1/chat/completions", chat + "\"logprobs\": true, \"top_logprobs\": -1}", "top_logprobs"},
                    {"/v1/chat/completions", chat + "\"logprobs\": 3}", "logprobs"},
                    {"/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"a\", \"logprobs\": 6}", "logprobs"},
                    {"/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"a\", \"logprobs\": true}", "logprobs"},
            };
            for (String[] c : cases) {
                TestServer.Reply r = server.post(c[0], c[1]);
                assertEquals(400, r.status(), c[1] + ": " + r.body());
                assertEquals(c[2], r.json().at("/error/param").asText(), c[1] + ": " + r.body());
            }
        }
    }
}
