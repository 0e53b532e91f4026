package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** -h/--help on every command, and the top-level help listing them all. */
class HelpOptionsTest {

    /** A command from another module, as the benchmark module adds bench and synth. */
    @Command(name = "extra", description = "A command added by another module.")
    static final class ExtraCommand implements Runnable {
        @Override
        public void run() {
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine(List.of(new ExtraCommand()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static List<String> commands() {
        return List.copyOf(Main.commandLine(List.of(new ExtraCommand())).getSubcommands().keySet());
    }

    @Test
    void every_command_shows_its_usage_for_help_and_h_and_exits_with_0() {
        for (String command : commands()) {
            for (String flag : new String[] {"--help", "-h"}) {
                Run r = run(command, flag);
                assertEquals(0, r.code, command + " " + flag + ": " + r.err);
                assertTrue(r.out.contains("Usage: panamax " + command + " ["), command + " " + flag + ": " + r.out);
                assertTrue(r.err.isEmpty(), command + " " + flag + " wrote to stderr: " + r.err);
            }
        }
    }

    @Test
    void help_command_describes_each_command_an_added_one_included() {
        for (String command : commands()) {
            Run r = run("help", command);
            assertEquals(0, r.code, "help " + command + ": " + r.err);
            assertTrue(r.out.contains("Usage: panamax " + command + " ["), "help " + command + ": " + r.out);
        }
    }

    @Test
    void top_level_help_lists_every_command() {
        Run r = run("--help");
        assertEquals(0, r.code, r.err);
        List<String> expected = List.of("info", "inspect", "quantize", "generate", "tokenize", "chat", "lora", "help", "extra");
        assertEquals(expected, commands());
        for (String command : expected) {
            assertTrue(r.out.lines().anyMatch(line -> line.startsWith("  " + command + " ")), command + " missing from:\n" + r.out);
        }
    }

    @Test
    void a_failing_added_command_gets_the_one_line_error_of_the_others() {
        @Command(name = "failing")
        final class Failing implements Runnable {
            @Override
            public void run() {
                throw new IllegalStateException("the reason");
            }
        }
        CommandLine cli = Main.commandLine(List.of(new Failing()));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(1, cli.execute("failing"));
        assertEquals("panamax failing: the reason", err.toString().strip());
    }

    @Test
    void a_run_that_names_its_command_builds_only_that_one_and_handles_it_alike() {
        @Command(name = "failing", aliases = "f")
        final class Failing implements Runnable {
            @Override
            public void run() {
                throw new IllegalStateException("the reason");
            }
        }
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            assertEquals(1, Main.run(List.of(new Failing()), "failing"));
            assertEquals(1, Main.run(List.of(new Failing()), "f"));
            assertEquals(2, Main.run(List.of(new Failing()), "failing", "--no-such-option"));
        } finally {
            System.setErr(saved);
        }
        String err = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, err.lines().filter("panamax failing: the reason"::equals).count(), err);
        assertTrue(err.contains("Unknown option: '--no-such-option'") && err.contains("Usage: panamax failing"), err);
    }
}
