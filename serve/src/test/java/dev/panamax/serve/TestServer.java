package dev.panamax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.chat.ChatModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A server on a free loopback port over a tiny random chat model the test writes ({@link ChatModels}:
 * ChatML template, replies that run to their token limit), and a plain HTTP client for it.
 */
final class TestServer implements AutoCloseable {
    final LanguageModel model;
    final OpenAiServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    final String id = "tiny";

    TestServer(Path dir, Random random, ServerSettings settings) throws IOException {
        this(dir, random, settings, ModelOptions.defaults().threads(2));
    }

    TestServer(Path dir, Random random, ServerSettings settings, ModelOptions options) throws IOException {
        this(ChatModels.write(java.nio.file.Files.createDirectories(dir).resolve("tiny.gguf"), random, ChatModels.CHATML_JINJA), settings,
                options);
    }

    /** A server over the model in {@code file} (e.g. {@code ForcedToolModel}'s), served as {@link #id}. */
    TestServer(Path file, ServerSettings settings, ModelOptions options) throws IOException {
        this(file, settings, options, List.of());
    }

    /** A server over the model in {@code file} with the LoRA adapters requests may pick. */
    TestServer(Path file, ServerSettings settings, ModelOptions options, List<ServedAdapter> adapters) throws IOException {
        model = LanguageModel.open(file, options);
        try {
            server = OpenAiServer.start(new ServedModel(id, model, adapters), null, settings.listen("127.0.0.1", 0));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    TestServer(Path dir, Random random) throws IOException {
        this(dir, random, ServerSettings.defaults());
    }

    /** The base URL OpenAI clients take: {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return server.uri() + "v1";
    }

    URI uri(String path) {
        return server.uri().resolve(path.substring(1));
    }

    /** A response: its status and its body as JSON (null if the body is not JSON). */
    record Reply(int status, JsonNode json, String body) {
        String error() {
            return json.path("error").path("message").asText();
        }
    }

    Reply post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return reply(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    Reply get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return reply(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    Reply delete(String path) throws IOException, InterruptedException {
        return reply(http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    /** The {@code data:} events of a streamed response, [DONE] last. */
    List<String> events(String path, String body) throws IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            throw new AssertionError("status " + r.statusCode() + ": " + String.join("\n", r.body().toList()));
        }
        List<String> events = new ArrayList<>();
        r.body().filter(l -> l.startsWith("data: ")).forEach(l -> events.add(l.substring(6)));
        return events;
    }

    static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    private static Reply reply(HttpResponse<String> r) {
        JsonNode json = null;
        try {
            json = Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            // not JSON (the page at /)
        }
        return new Reply(r.statusCode(), json, r.body());
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            model.close();
        }
    }
}
