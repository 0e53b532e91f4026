package dev.panamax.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A response streamed as server-sent events, as OpenAI streams: {@code data: JSON} events, each
 * flushed at once, then {@code data: [DONE]}. Each write must finish within the timeout, so a client
 * that stops reading loses its connection instead of holding a generation.
 */
final class EventStream implements AutoCloseable {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private final HttpExchange exchange;
    private final OutputStream out;
    private final Watchdog watchdog;
    private final Duration timeout;

    /** Sends the 200 and the event-stream headers. */
    EventStream(HttpExchange exchange, Watchdog watchdog, Duration timeout) throws IOException {
        this.exchange = exchange;
        this.watchdog = watchdog;
        this.timeout = timeout;
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        watchdog.within(timeout, "the response headers", () -> {
            exchange.sendResponseHeaders(200, 0); // chunked
            return null;
        });
        this.out = exchange.getResponseBody();
    }

    /** Sends {@code value} as one event. */
    void send(Object value) throws IOException {
        write(Json.write(value));
    }

    /** Sends the closing {@code [DONE]} event. */
    void done() throws IOException {
        write("[DONE]".getBytes(StandardCharsets.US_ASCII));
    }

    private void write(byte[] json) throws IOException {
        watchdog.within(timeout, "a streamed event", () -> {
            out.write(DATA);
            out.write(json);
            out.write(END);
            out.flush();
            return null;
        });
    }

    @Override
    public void close() {
        exchange.close();
    }
}
