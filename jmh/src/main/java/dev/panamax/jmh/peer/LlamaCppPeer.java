package dev.panamax.jmh.peer;

import dev.panamax.jmh.report.PeerResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp as the end-to-end peer: its pp512 and tg128 tokens/s on the same synthetic GGUF files,
 * measured on the same machine right after {@code EndToEndBench}. It runs llama.cpp's prebuilt
 * libraries from the npm package node-llama-cpp through a small Node script (a resource of this
 * module), so nothing needs compiling; the package is installed once into a directory outside any
 * repository ({@link #defaultDirectory}), e.g. by {@code scripts/llamacpp-bench.sh}.
 */
public final class LlamaCppPeer {
    /** The node-llama-cpp release this was written against; it ships llama.cpp release v0.5.0. */
    public static final String NODE_LLAMA_CPP = "3.22.1";
    private static final String SCRIPT = "llamacpp-bench.mjs";
    private static final long TIMEOUT_MINUTES = 20;

    private final Path directory;

    /**
     * A peer using node-llama-cpp installed under {@code directory} (its {@code node_modules}).
     *
     * @param directory the directory holding {@code node_modules/node-llama-cpp}
     */
    public LlamaCppPeer(Path directory) {
        this.directory = directory;
    }

    /** {@return {@code $PANAMAX_LLAMACPP_DIR}, else {@code ~/.cache/panamax/node-llama-cpp}} */
    public static Path defaultDirectory() {
        String env = System.getenv("PANAMAX_LLAMACPP_DIR");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "panamax", "node-llama-cpp");
    }

    /** {@return why the peer cannot run here (with how to fix it), or empty when it can} */
    public Optional<String> unavailableReason() {
        if (!Files.isDirectory(directory.resolve("node_modules").resolve("node-llama-cpp"))) {
            return Optional.of("llama.cpp peer skipped: node-llama-cpp is not installed in " + directory
                    + " (install it with: npm install --prefix " + directory + " --ignore-scripts node-llama-cpp@" + NODE_LLAMA_CPP
                    + ", or run scripts/llamacpp-bench.sh once)");
        }
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.of("llama.cpp peer skipped: 'node --version' failed: " + version);
            }
        } catch (IOException e) {
            return Optional.of("llama.cpp peer skipped: Node.js is not on the PATH (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("llama.cpp peer skipped: interrupted");
        }
        return Optional.empty();
    }

    /**
     * Measures llama.cpp on {@code model}: one warm-up, then the median of {@code repetitions} runs
     * of a 512-token prompt and of 128 decoded tokens.
     *
     * @param model       the GGUF file, the same the Panamax benchmark reads
     * @param shape       the shape's name, recorded with the result
     * @param layers      the blocks, recorded with the result
     * @param type        the file type's name, recorded with the result
     * @param threads     llama.cpp's threads
     * @param repetitions the measured runs of each of prefill and decode
     * @return the medians, in tokens per second
     * @throws IOException if Node fails, times out, or prints no result
     */
    public PeerResult measure(Path model, String shape, int layers, String type, int threads, int repetitions) throws IOException {
        Path script = directory.resolve(SCRIPT);
        try (InputStream in = LlamaCppPeer.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("resource " + SCRIPT + " is missing from the jmh module");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = Files.createTempFile("panamax-llamacpp-", ".log");
        try {
            Process p = new ProcessBuilder("node", script.toString(), model.toString(), String.valueOf(threads), String.valueOf(repetitions))
                    .redirectError(log.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("llama.cpp on " + model + " did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
            List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
            if (p.exitValue() != 0 || lines.isEmpty()) {
                throw new IOException("llama.cpp on " + model + " failed (exit " + p.exitValue() + "): " + tail(log));
            }
            return PeerResult.fromLlamaCppLine(lines.getLast(), "llama.cpp{release} (node-llama-cpp " + NODE_LLAMA_CPP + ")",
                    shape, layers, type);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while llama.cpp ran on " + model, e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(Path log) throws IOException {
        String s = Files.readString(log, StandardCharsets.UTF_8).strip();
        return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
    }
}
