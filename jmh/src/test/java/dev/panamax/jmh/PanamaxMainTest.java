package dev.panamax.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The ./panamax command line: the transformer's commands with bench and synth, all with their help. */
class PanamaxMainTest {

    private record Run(int code, String out) {
    }

    /** Runs on System.out, which picocli writes usage help to, captured. */
    private static synchronized Run run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int code = PanamaxMain.run(args);
            capture.flush();
            return new Run(code, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void top_level_help_lists_bench_and_synth_with_the_transformers_commands() {
        Run r = run("--help");
        assertEquals(0, r.code);
        for (String command : new String[] {"info", "inspect", "quantize", "generate", "tokenize", "chat", "help", "bench", "synth", "serve"}) {
            assertTrue(r.out.lines().anyMatch(l -> l.startsWith("  " + command + " ")), command + " missing from:\n" + r.out);
        }
    }

    @Test
    void help_bench_and_help_synth_describe_them() {
        Run bench = run("help", "bench");
        assertEquals(0, bench.code);
        assertTrue(bench.out.startsWith("Usage: panamax bench") && bench.out.contains("--quick"), bench.out);
        Run synth = run("help", "synth");
        assertEquals(0, synth.code);
        assertTrue(synth.out.startsWith("Usage: panamax synth") && synth.out.contains("--shape"), synth.out);
    }

    @Test
    void help_serve_describes_the_server() {
        Run serve = run("help", "serve");
        assertEquals(0, serve.code);
        assertTrue(serve.out.startsWith("Usage: panamax serve") && serve.out.contains("--parallel") && serve.out.contains("--api-key"), serve.out);
    }

    @Test
    void bench_and_synth_accept_help_and_h() {
        for (String command : new String[] {"bench", "synth"}) {
            for (String flag : new String[] {"--help", "-h"}) {
                Run r = run(command, flag);
                assertEquals(0, r.code, command + " " + flag);
                assertTrue(r.out.startsWith("Usage: panamax " + command), r.out);
            }
        }
    }

    @Test
    void bench_runs_as_a_subcommand() {
        assertEquals(0, PanamaxMain.run("bench", "--dry-run", "--include", "Gemm"));
        assertEquals(2, PanamaxMain.run("bench", "--no-such-option"));
    }
}
