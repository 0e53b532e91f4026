package dev.panamax.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.panamax.transformer.sampling.grammar.TokenTrie;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.function.Function;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An OpenAI-compatible HTTP server over a loaded model: {@code POST /v1/chat/completions},
 * {@code /v1/completions} and {@code /v1/embeddings} (OpenAI's shapes, streamed as server-sent events
 * or whole), {@code GET /v1/models}, {@code GET /health}, and llama-server's {@code POST /tokenize}
 * and {@code /detokenize}; {@code GET /} serves the classpath resource {@code index.html} beside
 * this class.
 *
 * <p>On the JDK's own {@code jdk.httpserver}, one virtual thread per exchange: a handler blocks while
 * its request waits or generates at no cost of a platform thread, and nothing else is needed.
 * Generation goes through one {@link Scheduler} thread that steps all running requests. Request
 * header size and the time to send them are the JDK server's ({@code sun.net.httpserver.maxReqHeaderSize},
 * {@code maxReqTime}, {@code idleInterval}: set here to 64 KiB, 30 s and 60 s unless given on the command
 * line); bodies and each response write are limited by {@link ServerSettings}. A bad request gets a 4xx
 * with OpenAI's error body; no request can stop the server.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OpenAiServer.class.getName());

    static {
        // read once, when the JDK's server classes load: so before any server is created
        defaultProperty("sun.net.httpserver.maxReqHeaderSize", "65536");
        defaultProperty("sun.net.httpserver.maxReqHeaders", "100");
        defaultProperty("sun.net.httpserver.maxReqTime", "30");
        defaultProperty("sun.net.httpserver.idleInterval", "60");
    }

    private final HttpServer server;
    private final ExecutorService handlers;
    private final Scheduler scheduler;
    private final Watchdog watchdog;
    private final Endpoints endpoints;
    private final ServerSettings settings;
    private final byte[] keyDigest;

    private OpenAiServer(ServedModel generator, ServedModel embedder, ServerSettings settings, Function<Tokenizer, TokenTrie> tries)
            throws IOException {
        this.settings = settings;
        this.keyDigest = settings.apiKey() == null ? null : sha256(settings.apiKey());
        this.watchdog = new Watchdog();
        Slots slots = settings.batched() ? new Slots.Batched(generator.model(), settings.parallel())
                : new Slots.Sessions(generator.model(), settings.parallel());
        this.scheduler = new Scheduler(slots, settings.queue(), settings.prefillChunk());
        this.endpoints = new Endpoints(generator, embedder, scheduler, settings, watchdog, tries);
        this.handlers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 128);
        } catch (IOException e) {
            scheduler.close();
            watchdog.close();
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts serving {@code generator} (chat and completions, and embeddings unless {@code embedder} is
     * given) on the address {@code settings} names.
     *
     * @param generator the model for {@code /v1/chat/completions} and {@code /v1/completions}
     * @param embedder  the model for {@code /v1/embeddings}, or null to embed with {@code generator}
     * @param settings  the address, capacity, limits and key
     * @return the server, listening; close it to stop
     * @throws IOException if the address cannot be bound
     */
    public static OpenAiServer start(ServedModel generator, ServedModel embedder, ServerSettings settings) throws IOException {
        return new OpenAiServer(generator, embedder, settings, TokenTrie::of);
    }

    /** As {@link #start(ServedModel, ServedModel, ServerSettings)}, with the tries of constrained decoding got from {@code tries}. */
    static OpenAiServer start(ServedModel generator, ServedModel embedder, ServerSettings settings, Function<Tokenizer, TokenTrie> tries)
            throws IOException {
        return new OpenAiServer(generator, embedder, settings, tries);
    }

    /**
     * The address served, e.g. {@code http://127.0.0.1:8080/}.
     *
     * @return the base URI clients send requests to
     */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    /**
     * The port bound (the one picked, when the settings asked for 0).
     *
     * @return the local port
     */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Requests generating now.
     *
     * @return the count of requests holding a slot
     */
    public int activeRequests() {
        return scheduler.active();
    }

    /**
     * Requests waiting for a slot.
     *
     * @return the count of queued requests
     */
    public int queuedRequests() {
        return scheduler.queued();
    }

    /**
     * KV caches (sessions, or slots of the batch) made so far; never more than {@link ServerSettings#parallel()}.
     *
     * @return the count of caches
     */
    public int sessions() {
        return scheduler.caches();
    }

    /** The scheduler, for tests. */
    Scheduler scheduler() {
        return scheduler;
    }

    /** Stops listening, ends running generations, frees the sessions; does not close the models. */
    @Override
    public void close() {
        server.stop(0);
        scheduler.close();
        handlers.shutdownNow();
        watchdog.close();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (ApiException e) {
                HttpIo.json(exchange, e.status(), HttpIo.error(e), watchdog, settings.ioTimeout());
            } catch (IOException e) {
                LOG.log(Level.FINE, "connection lost: " + exchange.getRequestURI(), e);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "request " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed", e);
                HttpIo.json(exchange, 500, HttpIo.error(new ApiException(500, "server_error", "internal error: " + e, null, null)), watchdog,
                        settings.ioTimeout());
            }
        } catch (IOException | RuntimeException e) { // the error itself could not be sent: the client is gone
            LOG.log(Level.FINE, "cannot answer " + exchange.getRequestURI(), e);
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (!path.equals("/health") && !path.equals("/") && !authorized(exchange)) {
            throw new ApiException(401, "invalid_request_error", "a valid API key is required: send 'Authorization: Bearer KEY'", null,
                    "invalid_api_key");
        }
        switch (path) {
            case "/v1/chat/completions", "/chat/completions" -> post(method, path, () -> endpoints.chatCompletions(exchange));
            case "/v1/completions", "/completions" -> post(method, path, () -> endpoints.completions(exchange));
            case "/v1/embeddings", "/embeddings" -> post(method, path, () -> endpoints.embeddings(exchange));
            case "/tokenize" -> post(method, path, () -> endpoints.tokenize(exchange));
            case "/detokenize" -> post(method, path, () -> endpoints.detokenize(exchange));
            case "/v1/models", "/models" -> get(method, path, () -> endpoints.models(exchange));
            case "/health" -> get(method, path, () -> endpoints.health(exchange));
            case "/lora-adapters" -> {
                if (!method.equals("GET") && !method.equals("POST")) {
                    throw new ApiException(405, "invalid_request_error", path + " takes GET or POST, not " + method, null,
                            "method_not_allowed");
                }
                endpoints.loraAdapters(exchange);
            }
            case "/", "/index.html" -> get(method, path, () -> index(exchange));
            default -> {
                if (path.startsWith("/v1/models/")) {
                    get(method, path, () -> endpoints.model(exchange, path.substring("/v1/models/".length())));
                } else {
                    throw new ApiException(404, "invalid_request_error", "no endpoint " + method + " " + path, null, "not_found");
                }
            }
        }
    }

    /** A handler's work. */
    private interface Work {
        void run() throws IOException;
    }

    private static void post(String method, String path, Work work) throws IOException {
        only("POST", method, path);
        work.run();
    }

    private static void get(String method, String path, Work work) throws IOException {
        only("GET", method, path);
        work.run();
    }

    private static void only(String allowed, String method, String path) {
        if (!allowed.equals(method)) {
            throw new ApiException(405, "invalid_request_error", path + " takes " + allowed + ", not " + method, null, "method_not_allowed");
        }
    }

    /** {@code Authorization: Bearer KEY}, compared in constant time (digests of equal length, {@link MessageDigest#isEqual}). */
    private boolean authorized(HttpExchange exchange) {
        if (keyDigest == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(keyDigest, sha256(header.substring(7).strip()));
    }

    private void index(HttpExchange exchange) throws IOException {
        try (InputStream page = OpenAiServer.class.getResourceAsStream("index.html")) {
            if (page == null) {
                throw new ApiException(404, "invalid_request_error", "this server has no page at /; the API is under /v1", null, "not_found");
            }
            HttpIo.send(exchange, 200, "text/html; charset=utf-8", page.readAllBytes(), watchdog, settings.ioTimeout());
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
