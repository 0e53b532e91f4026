package dev.panamax.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** Reading request bodies within limits, and writing JSON responses, on the JDK's {@link HttpExchange}. */
final class HttpIo {
    private HttpIo() {
    }

    /**
     * The request's body, at most {@code limit} bytes, read within {@code timeout}.
     *
     * @throws ApiException 413 for a larger body
     */
    static byte[] body(HttpExchange exchange, long limit, Watchdog watchdog, Duration timeout) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length '" + length + "' is not a number", null);
            }
            if (n > limit) {
                throw tooLarge(limit);
            }
        }
        byte[] body = watchdog.within(timeout, "the request body", () -> {
            try (InputStream in = exchange.getRequestBody()) {
                return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            }
        });
        if (body.length > limit) {
            throw tooLarge(limit);
        }
        return body;
    }

    private static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", "the request body is larger than the server's limit of " + limit
                + " bytes (--max-body)", null, "request_too_large");
    }

    /** Sends {@code value} as the whole JSON response with {@code status}, within {@code timeout}. */
    static void json(HttpExchange exchange, int status, Object value, Watchdog watchdog, Duration timeout) throws IOException {
        send(exchange, status, "application/json", Json.write(value), watchdog, timeout);
    }

    static void send(HttpExchange exchange, int status, String type, byte[] bytes, Watchdog watchdog, Duration timeout) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        watchdog.within(timeout, "the response", () -> {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            return null;
        });
    }

    /** OpenAI's error body for {@code e}. */
    static Responses.ErrorBody error(ApiException e) {
        return new Responses.ErrorBody(new Responses.ErrorDetail(e.getMessage(), e.type(), e.param(), e.code()));
    }
}
