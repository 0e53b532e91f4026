package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.testing.Models;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.Model;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenerateCommandTest {

    @Test
    void greedyGenerationFromAnEmptyPromptTellsTheStory() {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run(new GenerateCommand(), "--model", model.toString(), "--temp", "0", "-n", "30", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("Once upon a time, there was a little girl named Lily."), r.out);
        assertTrue(r.err.lines().anyMatch(line -> line.matches(
                "prefill: 1 tokens in \\d+\\.\\d{3} s \\(\\d+\\.\\d tokens/s\\); decode: 29 tokens in \\d+\\.\\d{3} s \\(\\d+\\.\\d tokens/s\\)")),
                "the speed line, BOS prefilled and 30 tokens generated (the first by the prefill): " + r.err);
    }

    /** Issue 18 target 4: --timings says how long the start took, each milestone after the one before. */
    @Test
    void timingsReportTheStartInOrder() {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run(new GenerateCommand(), "--model", model.toString(), "--temp", "0", "-n", "3", "-t", "1", "--timings");
        assertEquals(0, r.code, r.err);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "start: command running (\\d+\\.\\d{3}) s, model loaded (\\d+\\.\\d{3}) s, first token (\\d+\\.\\d{3}) s after process start")
                .matcher(r.err);
        assertTrue(m.find(), "the start line: " + r.err);
        double command = Double.parseDouble(m.group(1)), loaded = Double.parseDouble(m.group(2)), first = Double.parseDouble(m.group(3));
        assertTrue(command >= 0 && command <= loaded && loaded <= first, "milestones in order: " + r.err);
        Run plain = run(new GenerateCommand(), "--model", model.toString(), "--temp", "0", "-n", "3", "-t", "1");
        assertTrue(!plain.err.contains("start:"), "no start line without --timings: " + plain.err);
    }

    @Test
    void dumpLogitsWritesTheLastPromptPositionsLogits(@TempDir Path dir) throws Exception {
        Path model = Models.require("stories260K-f32.gguf");
        Path dump = dir.resolve("logits.txt");
        Run r = run(new GenerateCommand(), "--model", model.toString(), "--prompt", "Once upon a time", "--temperature", "0",
                "-n", "1", "--backend", "reference", "--threads", "1", "--dump-logits", dump.toString());
        assertEquals(0, r.code, r.err);
        java.util.List<String> lines = Files.readAllLines(dump);
        float[] written = new float[lines.size()];
        for (int i = 0; i < written.length; i++) {
            written[i] = Float.parseFloat(lines.get(i));
        }
        try (Ops ops = Backends.open("reference", 1); Model m = Model.open(model, ops)) {
            int[] ids = m.tokenizer().encode("Once upon a time", true, false);
            float[] expected = m.transformer().forward(ids, 0);
            assertEquals(512, written.length, "one logit per vocabulary entry");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], written[i], 0f, "logit " + i + " written exactly (Float.toString round-trips)");
            }
        }
    }

    /** Issue 20 and 16: generation that stops because the context is full says so. */
    @Test
    void aFullContextIsReportedOnStderr() {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run(new GenerateCommand(), "--model", model.toString(), "-p", "Once upon a time", "--temp", "0", "-n", "100",
                "-c", "12", "-b", "reference");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("the context of 12 positions is full"), r.err());
    }

    @Test
    void aPromptIsEchoedAndContinued() {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run(new GenerateCommand(), "--model", model.toString(), "-p", "Once upon a time", "--temp", "0", "-n", "6", "-b", "reference");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("Once upon a time, there"), r.out);
    }

    @Test
    void tokenizeAgreesWithTheTokenizer() throws Exception {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run(new TokenizeCommand(), "--model", model.toString(), "Lily loved the park.", "--ids");
        assertEquals(0, r.code, r.err);
        try (GgufFile gguf = GgufFile.open(model)) {
            int[] ids = Tokenizer.fromGguf(gguf.model()).encode("Lily loved the park.", true, false);
            assertEquals(Arrays.stream(ids).mapToObj(String::valueOf).collect(Collectors.joining(" ")), r.out.strip());
        }
    }

    @Test
    void aMissingModelFailsWithItsName() {
        CommandLine cli = new CommandLine(new GenerateCommand());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println(e.getMessage());
            return 1;
        });
        int code = cli.execute("--model", "/nonexistent/model.gguf", "-n", "1");
        assertEquals(1, code);
        assertTrue(err.toString().contains("/nonexistent/model.gguf"), err.toString());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
