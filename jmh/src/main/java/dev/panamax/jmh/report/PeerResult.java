package dev.panamax.jmh.report;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * End-to-end tokens/s of a peer engine (llama.cpp) on one of the synthetic models, measured in the
 * same run as {@code EndToEndBench}, so the report can put the two side by side.
 *
 * @param peer     the engine and its version, e.g. "llama.cpp v0.5.0 (node-llama-cpp 3.22.1)"
 * @param shape    the model's shape name, e.g. "tinyllama-1.1b"
 * @param layers   its blocks (EndToEndBench's {@code layers} parameter)
 * @param type     its weight type, e.g. "q4_k_m"
 * @param threads  threads the peer used
 * @param prefill  pp512 tokens/s (median)
 * @param decode   tg128 tokens/s (median)
 */
public record PeerResult(String peer, String shape, int layers, String type, int threads, double prefill, double decode) {

    /**
     * {@return whether this result is for the model and thread count of an EndToEndBench record}
     *
     * @param r a record of the run
     */
    public boolean matches(BenchRecord r) {
        return shape.equals(r.param("shape")) && String.valueOf(layers).equals(r.param("layers"))
                && type.equals(r.param("type")) && String.valueOf(threads).equals(r.param("threads"));
    }

    /**
     * {@return the peer's tokens/s for an EndToEndBench method, "prefill" or "decode"}
     *
     * @param method {@code "prefill"} or {@code "decode"}
     */
    public double tokensPerSecond(String method) {
        return method.endsWith("decode") ? decode : prefill;
    }

    /**
     * Reads the JSON line that {@code llamacpp-bench.mjs} prints for one model.
     *
     * @param line   the JSON line
     * @param peer   the peer's name, e.g. {@code llama.cpp}
     * @param shape  the synthetic model's shape name
     * @param layers its blocks
     * @param type   its file type's name
     * @return the result
     * @throws IOException if the line is not such a result
     */
    public static PeerResult fromLlamaCppLine(String line, String peer, String shape, int layers, String type) throws IOException {
        Object v = Json.read(new java.io.StringReader(line));
        if (!(v instanceof Map<?, ?> m) || !(m.get("prefillTokensPerSecond") instanceof Number prefill)
                || !(m.get("decodeTokensPerSecond") instanceof Number decode) || !(m.get("threads") instanceof Number threads)) {
            throw new IOException("not a llama.cpp result line: " + line);
        }
        String release = m.get("llamaCpp") instanceof Map<?, ?> l && l.get("release") != null ? " " + l.get("release") : "";
        return new PeerResult(peer.replace("{release}", release), shape, layers, type, threads.intValue(),
                prefill.doubleValue(), decode.doubleValue());
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peer", peer);
        m.put("shape", shape);
        m.put("layers", layers);
        m.put("type", type);
        m.put("threads", threads);
        m.put("prefillTokensPerSecond", prefill);
        m.put("decodeTokensPerSecond", decode);
        return m;
    }

    static PeerResult fromJson(Map<?, ?> m) {
        return new PeerResult(String.valueOf(m.get("peer")), String.valueOf(m.get("shape")), (int) Json.number(m.get("layers")),
                String.valueOf(m.get("type")), (int) Json.number(m.get("threads")),
                Json.number(m.get("prefillTokensPerSecond")), Json.number(m.get("decodeTokensPerSecond")));
    }
}
