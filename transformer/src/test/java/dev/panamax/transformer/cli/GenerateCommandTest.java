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
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GenerateCommandTest {

    @Test
    void greedyGenerationFromAnEmptyPromptTellsTheStory() {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run(new GenerateCommand(), model.toString(), "--temp", "0", "-n", "30", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("Once upon a time, there was a little girl named Lily."), r.out);
        assertTrue(r.err.contains("generated 30 tokens") && r.err.contains("tok/s"), r.err);
    }

    @Test
    void aPromptIsEchoedAndContinued() {
        Path model = Models.require("stories260K-f32.gguf");
        Run r = run(new GenerateCommand(), model.toString(), "-p", "Once upon a time", "--temp", "0", "-n", "6", "-b", "reference");
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
        int code = cli.execute("/nonexistent/model.gguf", "-n", "1");
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
