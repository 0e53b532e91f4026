package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits and failures: a full queue, a client that hangs up mid-stream, stalled bodies and headers,
 * idle connections. The scheduler is held still by a job of the test's whose listener blocks, so
 * that each case happens while a generation is known to be running.
 */
@ExtendWith(Seeded.class)
@Timeout(60)
class RobustnessTest {
    @TempDir
    Path dir;

    @Test
    void pastTheSlotsAndTheQueueARequestGets503UntilOneFinishes(Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().capacity(1, 0))) {
            HeldJob held = HeldJob.hold(t, 3);
            String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2}";
            TestServer.Reply busy = t.post("/v1/chat/completions", body);
            assertEquals(503, busy.status(), busy.body());
            assertEquals("server_busy", busy.json().at("/error/code").asText());
            assertTrue(busy.error().contains("busy"), busy.error());
            assertEquals(200, t.get("/health").status(), "health answers while busy");
            held.rounds.release(100);
            assertTrue(held.done.await(20, TimeUnit.SECONDS));
            assertEquals(200, t.post("/v1/chat/completions", body).status());
        }
    }

    @Test
    void aClientThatHangsUpMidStreamFreesItsSlotAtOnce(Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().capacity(2, 4))) {
            HeldJob held = HeldJob.hold(t, 400);
            try (RawClient c = new RawClient(t.server.port())) {
                c.post("/v1/completions", "{\"prompt\": \"abc\", \"max_tokens\": 400, \"stream\": true, \"temperature\": 0}");
                long until = System.nanoTime() + 20_000_000_000L;
                while (t.server.activeRequests() + t.server.queuedRequests() < 2 && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                held.rounds.release(5); // five rounds: the stream's request is admitted and sends its first pieces
                c.readEvents(2);
            }
            int before = t.server.scheduler().cancelled();
            int rounds = 0;
            while (t.server.scheduler().cancelled() == before && rounds < 200) {
                held.rounds.release();
                rounds++;
                Thread.sleep(20);
            }
            assertEquals(before + 1, t.server.scheduler().cancelled(), "the stream's generation was cancelled");
            assertTrue(rounds < 200, "within " + rounds + " rounds of the hang-up");
            assertEquals(1, t.server.activeRequests(), "only the held job still generates");
            held.rounds.release(1000);
            assertTrue(held.done.await(20, TimeUnit.SECONDS));
            assertEquals(400, held.completion.generatedTokens(), "the other generation went on undisturbed");
        }
    }

    @Test
    void aBodyThatStopsArrivingLosesItsConnectionAfterTheTimeout(Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().limits(1 << 20, Duration.ofMillis(800)));
             RawClient c = new RawClient(t.server.port())) {
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"mess");
            long ms = c.millisUntilClosed();
            assertTrue(ms >= 0 && ms < 10_000, "closed after " + ms + " ms");
            assertEquals(200, t.get("/health").status());
        }
    }

    @Test
    void headersThatNeverEndAndSilentConnectionsAreClosed(Random random) throws Exception {
        // the JDK server's deadline for a request's headers, 3 s in this module's tests (sun.net.httpserver.maxReqTime)
        try (TestServer t = new TestServer(dir, random)) {
            try (RawClient slow = new RawClient(t.server.port())) {
                slow.send("GET /health HTTP/1.1\r\nHost: x\r\n");
                long ms = slow.millisUntilClosed();
                assertTrue(ms >= 0 && ms < 15_000, "half-sent headers closed after " + ms + " ms");
            }
            try (RawClient silent = new RawClient(t.server.port())) {
                long ms = silent.millisUntilClosed();
                assertTrue(ms >= 0 && ms < 15_000, "a connection that sends nothing closed after " + ms + " ms");
            }
            assertEquals(200, t.get("/health").status());
        }
    }

    @Test
    void oversizedHeadersAreRefused(Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random); RawClient c = new RawClient(t.server.port())) {
            String status;
            try {
                c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n");
                status = c.in.readLine();
            } catch (java.net.SocketException e) {
                status = null; // reset: refused too
            }
            assertTrue(status == null || !status.contains(" 200 "), "no 200 for 70 KB of headers: " + status);
            assertEquals(200, t.get("/health").status());
        }
    }
}
