package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: the aggregate decode throughput of 1, 2, 4 and 8 concurrent streams through the server,
 * batched and with a session per request, for docs/benchmarks.md. Runs only when asked:
 * {@code ./mvnw -pl serve -am test -Dtest=ServeThroughputBench -Dsurefire.failIfNoSpecifiedTests=false
 * -Dpanamax.serve.bench=FILE.gguf [-Dpanamax.serve.bench.tokens=64]}.
 */
@EnabledIfSystemProperty(named = "panamax.serve.bench", matches = ".+")
class ServeThroughputBench {
    private static final int[] STREAMS = {1, 2, 4, 8};

    @Test
    void aggregateTokensPerSecond() throws Exception {
        Path file = Path.of(System.getProperty("panamax.serve.bench"));
        int tokens = Integer.getInteger("panamax.serve.bench.tokens", 64);
        StringBuilder table = new StringBuilder("| scheduler | streams | tokens | seconds | aggregate tokens/s | per stream |\n|---|---:|---:|---:|---:|---:|\n");
        boolean sessions = System.getProperty("panamax.serve.bench.modes", "batched,sessions").contains("sessions");
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().contextLength(512));
             OpenAiServer batch = OpenAiServer.start(new ServedModel("bench", model), null,
                     ServerSettings.defaults().listen("127.0.0.1", 0).capacity(8, 8));
             OpenAiServer perSession = OpenAiServer.start(new ServedModel("bench", model), null,
                     ServerSettings.defaults().listen("127.0.0.1", 0).capacity(8, 8).batched(false));
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            run(batch.uri(), http, pool, 8, Math.min(tokens, 8)); // warm-up: every path compiled
            if (sessions) {
                run(perSession.uri(), http, pool, 8, Math.min(tokens, 8));
            }
            for (int n : STREAMS) { // the two schedulers interleaved, so that both see the same load
                for (OpenAiServer server : sessions ? List.of(batch, perSession) : List.of(batch)) {
                    long start = System.nanoTime();
                    int generated = run(server.uri(), http, pool, n, tokens);
                    double s = (System.nanoTime() - start) / 1e9;
                    String line = String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.1f | %.1f |%n", server == batch ? "batched" : "sessions",
                            n, generated, s, generated / s, generated / s / n);
                    table.append(line);
                    System.out.print(line.strip() + "  (load " + Files.readString(Path.of("/proc/loadavg")).strip() + ")\n");
                    Files.writeString(Path.of("target/serve-throughput.md"), table);
                }
            }
        }
        String report = "file " + file.getFileName() + ", " + tokens + " tokens a stream; load " + Files.readString(Path.of("/proc/loadavg")).strip()
                + "\n" + table;
        System.out.println(report);
        Files.writeString(Path.of("target/serve-throughput.md"), report);
    }

    /** {@code n} concurrent streamed completions of {@code tokens} each; the tokens generated in all. */
    private static int run(URI uri, HttpClient http, ExecutorService pool, int n, int tokens) throws Exception {
        List<Future<Integer>> streams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String body = "{\"prompt\": \"The story of stream " + i + " begins\", \"max_tokens\": " + tokens + ", \"temperature\": 0,"
                    + " \"stream\": true, \"stream_options\": {\"include_usage\": true}}";
            streams.add(pool.submit(() -> {
                HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(uri.resolve("v1/completions"))
                        .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
                assertEquals(200, r.statusCode());
                int[] used = {0};
                r.body().filter(l -> l.startsWith("data: {")).forEach(l -> {
                    JsonNode usage = TestServer.json(l.substring(6)).get("usage");
                    if (usage != null && !usage.isNull()) {
                        used[0] = usage.get("completion_tokens").asInt();
                    }
                });
                return used[0];
            }));
        }
        int total = 0;
        for (Future<Integer> f : streams) {
            total += f.get();
        }
        return total;
    }
}
