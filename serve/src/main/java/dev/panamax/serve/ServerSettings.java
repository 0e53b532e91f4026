package dev.panamax.serve;

import java.time.Duration;

/**
 * How the server listens and how much it takes on.
 *
 * @param host         the address to bind: loopback unless told otherwise
 * @param port         the port; 0 picks a free one
 * @param parallel     requests generating at once, each with a KV cache of its own
 * @param queue        requests that may wait for a slot; past that, 503
 * @param maxBodyBytes the largest request body accepted; past that, 413
 * @param ioTimeout    the longest one read of a request body or one write of a response may take
 *                     (a stalled client loses its connection and its generation)
 * @param apiKey       the key every endpoint but {@code /health} requires as {@code Authorization: Bearer KEY}, or null
 * @param prefillChunk prompt tokens a request being prefilled runs per scheduler round
 * @param batched      decode the running requests together, one forward pass per step ({@code Batch});
 *                     false steps each on a session of its own, one after another (which keeps each
 *                     session's cache across requests, for prompts that repeat a prefix)
 */
public record ServerSettings(String host, int port, int parallel, int queue, long maxBodyBytes, Duration ioTimeout, String apiKey,
                             int prefillChunk, boolean batched) {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if {@code host} is null or blank, {@code port} is outside 0 to 65535, {@code parallel}
     *         or {@code prefillChunk} is below 1, {@code queue} is negative, {@code maxBodyBytes} is below 1,
     *         {@code ioTimeout} is not positive, or {@code apiKey} is empty
     */
    public ServerSettings {
        if (host == null || host.isBlank() || port < 0 || port > 65535 || parallel < 1 || queue < 0 || maxBodyBytes < 1
                || ioTimeout == null || ioTimeout.isNegative() || ioTimeout.isZero() || prefillChunk < 1) {
            throw new IllegalArgumentException("invalid server settings: host " + host + ", port " + port + ", parallel " + parallel
                    + ", queue " + queue + ", max body " + maxBodyBytes + ", I/O timeout " + ioTimeout + ", prefill chunk " + prefillChunk);
        }
        if (apiKey != null && apiKey.isEmpty()) {
            throw new IllegalArgumentException("the API key must not be empty");
        }
    }

    /**
     * 127.0.0.1:8080, 4 slots batched, a queue of 64, bodies up to 4 MiB, 30 s I/O timeout, no key, prefill in chunks of 256.
     *
     * @return the default settings
     */
    public static ServerSettings defaults() {
        return new ServerSettings("127.0.0.1", 8080, 4, 64, 4 << 20, Duration.ofSeconds(30), null, 256, true);
    }

    /**
     * These settings, batched or with a session per request.
     *
     * @param b true to decode the running requests in one batch, false for a session each
     * @return a copy with that choice
     */
    public ServerSettings batched(boolean b) {
        return new ServerSettings(host, port, parallel, queue, maxBodyBytes, ioTimeout, apiKey, prefillChunk, b);
    }

    /**
     * These settings on host {@code h} and port {@code p}.
     *
     * @param h the address to bind, e.g. {@code 0.0.0.0} for every interface
     * @param p the port; 0 picks a free one
     * @return a copy listening there
     */
    public ServerSettings listen(String h, int p) {
        return new ServerSettings(h, p, parallel, queue, maxBodyBytes, ioTimeout, apiKey, prefillChunk, batched);
    }

    /**
     * These settings with {@code n} slots and a queue of {@code waiting}.
     *
     * @param n       requests generating at once, 1 or more
     * @param waiting requests that may wait for a slot, 0 or more
     * @return a copy with that capacity
     */
    public ServerSettings capacity(int n, int waiting) {
        return new ServerSettings(host, port, n, waiting, maxBodyBytes, ioTimeout, apiKey, prefillChunk, batched);
    }

    /**
     * These settings with bodies up to {@code bytes} and I/O timeout {@code timeout}.
     *
     * @param bytes   the largest request body accepted
     * @param timeout the longest one read or write may take, positive
     * @return a copy with those limits
     */
    public ServerSettings limits(long bytes, Duration timeout) {
        return new ServerSettings(host, port, parallel, queue, bytes, timeout, apiKey, prefillChunk, batched);
    }

    /**
     * These settings with {@code key} required (null: none).
     *
     * @param key the bearer token clients must send, or null for no authentication
     * @return a copy requiring that key
     */
    public ServerSettings apiKey(String key) {
        return new ServerSettings(host, port, parallel, queue, maxBodyBytes, ioTimeout, key, prefillChunk, batched);
    }
}
