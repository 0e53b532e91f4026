package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Models;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The options of generate and chat: out-of-range values name their option; the help says what 0 means. */
class GenerationOptionsTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine(List.of());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void an_out_of_range_value_is_a_usage_error_that_names_its_option() {
        String[][] cases = {
                {"--temperature", "-1", "--temperature': -1.0"},
                {"--temp", "NaN", "--temperature': NaN"},
                {"--top-k", "-3", "--top-k': -3"},
                {"--top-p", "1.5", "--top-p': 1.5"},
                {"--min-p", "-0.1", "--min-p': -0.1"},
                {"--repeat-penalty", "0", "--repeat-penalty': 0.0"},
                {"--repeat-last-n", "-1", "--repeat-last-n': -1"},
                {"--threads", "-2", "--threads': -2"},
                {"--ctx-size", "-5", "--ctx-size': -5"},
                {"--batch-size", "0", "--batch-size': 0"},
                {"-n", "-1", "--tokens': -1"},
        };
        for (String command : new String[] {"generate", "chat"}) {
            for (String[] c : cases) {
                // the model is never opened: the options are checked first
                Run r = run(command, "--model", "/nonexistent/model.gguf", c[0], c[1]);
                assertEquals(2, r.code, command + " " + c[0] + " " + c[1] + ": " + r.err);
                assertTrue(r.err.startsWith("Invalid value for option '" + c[2] + " (it must be "), r.err);
            }
        }
    }

    @Test
    void the_help_says_that_0_threads_means_one_per_processor() {
        Run r = run("generate", "--help");
        assertEquals(0, r.code, r.err);
        String threads = String.join(" ", r.out.lines().dropWhile(l -> !l.contains("--threads")).limit(2).map(String::strip).toList());
        assertTrue(threads.contains("0 = one per processor"), threads);
    }

    @Test
    void a_context_beyond_the_models_own_warns_and_still_runs() {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run("generate", "--model", model.toString(), "-c", "4096", "-n", "2", "--temp", "0", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("warning: --ctx-size 4096 is more than the 2048 positions stories260K-f32.gguf was trained for"),
                r.err);
        Run within = run("generate", "--model", model.toString(), "-c", "256", "-n", "2", "--temp", "0", "-b", "reference", "-t", "1");
        assertEquals(0, within.code, within.err);
        assertTrue(!within.err.contains("warning"), within.err);
    }
}
