package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: where one streamed request's CPU time goes, thread by thread (the scheduler, the kernels' workers,
 * the virtual threads' carriers that write the events, the HTTP server's and client's threads), beside the
 * library's own completion of the same prompt, alternating in one JVM, so that a busy machine's clock does not
 * enter. Runs only when asked: {@code ./mvnw -pl serve -am test -Dtest=ServeThreadCpuBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dpanamax.serve.cpu=FILE.gguf [-Dpanamax.serve.cpu.tokens=48]
 * [-Dpanamax.serve.cpu.batched=false]}.
 */
@EnabledIfSystemProperty(named = "panamax.serve.cpu", matches = ".+")
class ServeThreadCpuBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Each live platform thread's CPU time, by name with its digits folded and its id. */
    private static Map<String, Long> cpu() {
        Map<String, Long> m = new TreeMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long c = THREADS.getThreadCpuTime(id);
            if (info != null && c > 0) {
                m.put(info.getThreadName().replaceAll("[0-9]+", "#") + " [" + id + "]", c);
            }
        }
        return m;
    }

    /** CPU time spent between {@code a} and {@code b}, per kind of thread. */
    private static Map<String, Long> spent(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new TreeMap<>();
        b.forEach((k, v) -> {
            long d = v - a.getOrDefault(k, 0L);
            if (d > 0) {
                out.merge(k.replaceAll(" \\[[0-9]+\\]", ""), d, Long::sum);
            }
        });
        return out;
    }

    @Test
    void cpuTimePerThreadOfOneStream() throws Exception {
        Path file = Path.of(System.getProperty("panamax.serve.cpu"));
        int tokens = Integer.getInteger("panamax.serve.cpu.tokens", 48);
        boolean batched = !"false".equals(System.getProperty("panamax.serve.cpu.batched"));
        StringBuilder report = new StringBuilder();
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().contextLength(512));
             OpenAiServer server = OpenAiServer.start(new ServedModel("bench", model), null,
                     ServerSettings.defaults().listen("127.0.0.1", 0).capacity(8, 8).batched(batched))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String prompt = "The story of stream 0 begins";
            String body = "{\"prompt\": \"" + prompt + "\", \"max_tokens\": " + tokens + ", \"temperature\": 0, \"stream\": true}";
            for (int round = 0; round < 4; round++) { // round 0 compiles everything
                Map<String, Long> a = cpu();
                Completion c = model.complete(prompt, GenerateOptions.greedy().maxTokens(tokens), s -> { });
                Map<String, Long> b = cpu();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                Map<String, Long> d = cpu();
                assertEquals(200, r.statusCode());
                Map<String, Long> library = spent(a, b), served = spent(b, d);
                report.append(String.format(Locale.ROOT, "round %d (%s, %d tokens, load %s): CPU ms library %.1f, server %.1f%n", round,
                        batched ? "batched" : "sessions", c.generatedTokens(), Files.readString(Path.of("/proc/loadavg")).strip(),
                        library.values().stream().mapToLong(Long::longValue).sum() / 1e6,
                        served.values().stream().mapToLong(Long::longValue).sum() / 1e6));
                Map<String, long[]> both = new TreeMap<>();
                library.forEach((k, v) -> both.computeIfAbsent(k, x -> new long[2])[0] = v);
                served.forEach((k, v) -> both.computeIfAbsent(k, x -> new long[2])[1] = v);
                both.forEach((k, v) -> {
                    if (v[0] + v[1] > 1_000_000) {
                        report.append(String.format(Locale.ROOT, "    %-34s %9.1f %9.1f%n", k, v[0] / 1e6, v[1] / 1e6));
                    }
                });
            }
        }
        System.out.print(report);
        Files.writeString(Path.of("target/serve-thread-cpu.txt"), report);
    }
}
