package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.ModelOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 16 streaming clients at once on 4 batched slots (the rest queued), every fourth hanging up after a few
 * events: each stream that completes is exactly its request's output alone (sampled, fixed seed), none
 * hangs, and afterwards nothing is left running, no more sessions exist than slots, and the heap is
 * back to its size before the load.
 */
@ExtendWith(Seeded.class)
class LoadTest {
    private static final int CLIENTS = 16, TOKENS = 40;

    @TempDir
    Path dir;

    private static String body(int i) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"story number " + (char) ('a' + i) + "\"}], \"max_tokens\": " + TOKENS
                + ", \"temperature\": 1.1, \"seed\": " + (1000 + i) + ", \"stream\": true}";
    }

    private static String text(List<String> events) {
        StringBuilder text = new StringBuilder();
        for (String e : events) {
            if (!e.equals("[DONE]")) {
                text.append(TestServer.json(e).at("/choices/0/delta").path("content").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    @Timeout(120)
    void sixteenConcurrentStreamsEachEqualTheirSingleRequestOutput(Random random) throws Exception {
        // the reference backend: a batch's logits equal a lone sequence's to the bit there (the CPU
        // backend's products may round differently for another number of rows, see Batch)
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().capacity(4, 16),
                ModelOptions.defaults().backend("reference").threads(2));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<String> alone = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                alone.add(text(t.events("/v1/chat/completions", body(i))));
            }
            long baseline = usedHeapAfterGc();

            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                results.add(clients.submit(() -> {
                    if (client % 4 == 3) { // hangs up after three events
                        try (RawClient c = new RawClient(t.server.port())) {
                            c.post("/v1/chat/completions", body(client));
                            c.readEvents(3);
                        }
                        return null;
                    }
                    return text(t.events("/v1/chat/completions", body(client)));
                }));
            }
            int completed = 0;
            for (int i = 0; i < CLIENTS; i++) {
                String got = results.get(i).get(60, TimeUnit.SECONDS);
                if (got != null) {
                    assertEquals(alone.get(i), got, "stream " + i + " under load");
                    assertTrue(got.length() > 0);
                    completed++;
                }
            }
            assertEquals(12, completed);

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((t.server.activeRequests() > 0 || t.server.queuedRequests() > 0) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(0, t.server.activeRequests(), "nothing left generating");
            assertEquals(0, t.server.queuedRequests(), "nothing left queued");
            assertTrue(t.server.sessions() <= 4, "sessions: " + t.server.sessions());
            long after = usedHeapAfterGc();
            assertTrue(after < baseline + (16 << 20), "heap after the load " + (after >> 20) + " MiB, before " + (baseline >> 20) + " MiB");
            assertEquals(200, t.get("/health").status());
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
