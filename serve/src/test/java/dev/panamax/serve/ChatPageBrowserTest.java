package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat page at {@code /}, used as a person uses it, in a real headless Chromium: it types a
 * message, presses Enter, waits for the streamed reply and reads it off the page. A reply must be
 * exactly what the API answers for the same conversation (greedy), so the page's stream reading,
 * history and rendering are all checked; the stop button must end a stream and free its slot.
 * Skipped, with a message, where no Chromium is installed ({@code .ci/run} installs Debian's).
 */
@ExtendWith(Seeded.class)
@Timeout(120)
class ChatPageBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path chromium;

    @TempDir
    Path dir;

    @BeforeAll
    static void findBrowser() {
        Optional<Path> found = HeadlessChromium.find();
        assumeTrue(found.isPresent(), "skipped: no Chromium to drive the chat page (apt-get install chromium, "
                + "or set PANAMAX_CHROMIUM to a Chromium or Chrome executable)");
        chromium = found.get();
    }

    @Test
    void aTypedMessageGetsTheStreamedReplyTheApiGivesAndTheConversationGoesOn(java.util.Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random); HeadlessChromium page = new HeadlessChromium(chromium)) {
            open(page, t);
            settings(page, 0, 24);

            send(page, "Tell me a story");
            HeadlessChromium.waitFor("the first reply", () -> "done".equals(state(page, 0)));
            String first = text(page, ".assistant", 0);
            List<Map<String, String>> conversation = List.of(Map.of("role", "user", "content", "Tell me a story"));
            assertFalse(first.isEmpty(), "the reply has text");
            assertEquals(apiReply(t, conversation, 24), first, "the page shows what the API answers, piece by piece");
            assertEquals("Tell me a story", text(page, ".user", 0), "the typed message is shown as sent");
            assertTrue(String.valueOf(page.evaluate("document.getElementById('speed').textContent")).matches("\\d+\\.\\d tokens/s"),
                    "tokens/s is shown");

            send(page, "And then?");
            HeadlessChromium.waitFor("the second reply", () -> "done".equals(state(page, 1)));
            List<Map<String, String>> twoTurns = List.of(conversation.get(0), Map.of("role", "assistant", "content", first),
                    Map.of("role", "user", "content", "And then?"));
            assertEquals(apiReply(t, twoTurns, 24), text(page, ".assistant", 1), "the second turn carries the first");
            assertEquals(0L, ((Number) page.evaluate("document.querySelectorAll('.error').length")).longValue());
        }
    }

    @Test
    void theStopButtonEndsTheStreamAndTheServerFreesItsSlot(java.util.Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().capacity(2, 4));
             HeadlessChromium page = new HeadlessChromium(chromium)) {
            open(page, t);
            settings(page, 0, 300);
            HeldJob held = HeldJob.hold(t, 400); // the server now advances one round per permit
            send(page, "Go on and on");
            HeadlessChromium.waitFor("the page's request to reach the server",
                    () -> t.server.activeRequests() + t.server.queuedRequests() == 2);
            held.rounds.release(5);
            HeadlessChromium.waitFor("the first streamed pieces", () -> !text(page, ".assistant", 0).isEmpty());
            assertEquals(Boolean.FALSE, page.evaluate("document.getElementById('stop').disabled"), "Stop is offered while streaming");

            page.click("#stop");
            HeadlessChromium.waitFor("the reply to stop", () -> "stopped".equals(state(page, 0)));
            int before = t.server.scheduler().cancelled();
            for (int rounds = 0; t.server.scheduler().cancelled() == before && rounds < 200; rounds++) {
                held.rounds.release();
                Thread.sleep(20);
            }
            assertEquals(before + 1, t.server.scheduler().cancelled(), "the server cancelled the stopped generation");
            assertEquals(1, t.server.activeRequests(), "only the held job still generates");
            assertEquals(Boolean.FALSE, page.evaluate("document.getElementById('send').disabled"), "Send is offered again");
            held.rounds.release(1000);
            assertTrue(held.done.await(20, TimeUnit.SECONDS));
        }
    }

    private static void open(HeadlessChromium page, TestServer t) throws Exception {
        page.navigate(t.uri("/"));
        HeadlessChromium.waitFor("the model's name", () -> ("model: " + t.id).equals(text(page, "#model", 0)));
    }

    private static void settings(HeadlessChromium page, double temperature, int maxTokens) throws Exception {
        page.evaluate("document.getElementById('temperature').value = '" + temperature + "'");
        page.evaluate("document.getElementById('maxTokens').value = '" + maxTokens + "'");
    }

    private static void send(HeadlessChromium page, String message) throws Exception {
        page.evaluate("document.getElementById('input').focus()");
        page.type(message);
        page.pressEnter();
    }

    /** The {@code index}-th element's text that {@code selector} finds, or "" if there is none yet. */
    private static String text(HeadlessChromium page, String selector, int index) {
        try {
            Object t = page.evaluate("(document.querySelectorAll(" + JSON.writeValueAsString(selector) + ")[" + index
                    + "] || {}).textContent || ''");
            return String.valueOf(t);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The {@code index}-th reply's state: streaming, done, stopped or failed. */
    private static String state(HeadlessChromium page, int index) {
        try {
            return String.valueOf(page.evaluate("(document.querySelectorAll('.assistant')[" + index + "] || {dataset: {}}).dataset.state"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String apiReply(TestServer t, List<Map<String, String>> messages, int maxTokens) throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", t.id, "messages", messages, "temperature", 0, "max_tokens", maxTokens));
        TestServer.Reply reply = t.post("/v1/chat/completions", body);
        assertEquals(200, reply.status(), reply.body());
        return reply.json().at("/choices/0/message/content").asText();
    }
}
