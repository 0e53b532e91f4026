package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.chat.ChatModels;
import dev.panamax.transformer.sampling.grammar.TokenTrie;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vocabulary trie of a JSON request is made on that request's own thread, before its job joins the batch: a
 * trie that takes long (here held by the test until it lets go, as Qwen3's 5.1 s would) stalls no other stream.
 * A stream already running when the JSON request arrives, and one started while it waits, both run to their end;
 * the JSON request then gets its document.
 */
@ExtendWith(Seeded.class)
class TrieOffSchedulerTest {
    @TempDir
    Path dir;

    @Test
    void streamsRunOnWhileARequestWaitsForItsTrie(Random random) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        Function<Tokenizer, TokenTrie> slow = t -> {
            threads.add(Thread.currentThread().getName());
            entered.countDown();
            try {
                assertTrue(release.await(120, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return TokenTrie.of(t);
        };
        try (LanguageModel model = LanguageModel.open(ChatModels.write(dir.resolve("tiny.gguf"), random, ChatModels.CHATML_JINJA),
                ModelOptions.defaults().threads(2))) {
            OpenAiServer server = OpenAiServer.start(new ServedModel("tiny", model), null,
                    ServerSettings.defaults().capacity(4, 4).listen("127.0.0.1", 0), slow);
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                URI chat = server.uri().resolve("v1/chat/completions");
                String story = "{\"messages\": [{\"role\": \"user\", \"content\": \"go on\"}], \"seed\": 3, \"temperature\": 1,"
                        + " \"max_tokens\": 400, \"stream\": true}";
                // a stream that is running when the JSON request comes
                HttpResponse<InputStream> running = http.send(post(chat, story), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, running.statusCode());
                BufferedReader first = new BufferedReader(new InputStreamReader(running.body(), StandardCharsets.UTF_8));
                int before = 0;
                while (before < 2) { // its role chunk and a first piece of text: it is in the batch
                    String line = first.readLine();
                    assertTrue(line != null, "the stream ended early");
                    before += line.startsWith("data: ") ? 1 : 0;
                }
                CompletableFuture<HttpResponse<String>> json = http.sendAsync(post(chat, "{\"messages\": [{\"role\": \"user\", \"content\":"
                        + " \"as JSON\"}], \"seed\": 4, \"max_tokens\": 200, \"response_format\": {\"type\": \"json_object\"}}"),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(entered.await(60, TimeUnit.SECONDS), "the JSON request asks for its trie");

                int after = events(first);
                assertTrue(after > 2, "the running stream went on to its end while the JSON request waited: " + after + " more events");
                HttpResponse<InputStream> started = http.send(post(chat, story.replace("\"seed\": 3", "\"seed\": 5")),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, started.statusCode());
                int whole = events(new BufferedReader(new InputStreamReader(started.body(), StandardCharsets.UTF_8)));
                assertTrue(whole > 3, "a stream started meanwhile ran whole: " + whole + " events");
                assertFalse(json.isDone(), "the JSON request is still waiting for its trie");

                release.countDown();
                HttpResponse<String> done = json.get(120, TimeUnit.SECONDS);
                assertEquals(200, done.statusCode(), done.body());
                JsonNode choice = TestServer.json(done.body()).at("/choices/0");
                if (choice.path("finish_reason").asText().equals("stop")) {
                    assertTrue(TestServer.json(choice.at("/message/content").asText()).isObject(), choice.toString());
                }
                assertEquals(1, threads.size(), "one request, one trie asked for");
                assertNotEquals("panamax-scheduler", threads.getFirst(), "the trie is made off the scheduler's thread");
            } finally {
                server.close();
            }
        }
    }

    private static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Reads a stream to its {@code [DONE]}; the number of events before it. */
    private static int events(BufferedReader in) throws Exception {
        int n = 0;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("data: [DONE]")) {
                return n;
            }
            n += line.startsWith("data: ") ? 1 : 0;
        }
        throw new AssertionError("the stream ended without [DONE] after " + n + " events");
    }
}
