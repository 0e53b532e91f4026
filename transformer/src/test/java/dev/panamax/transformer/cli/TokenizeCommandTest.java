package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code panamax tokenize} on the tokenizer.json fixture, one text or a file of them. */
class TokenizeCommandTest {
    private static Path fixture() throws Exception {
        return Path.of(TokenizeCommandTest.class.getResource("/dev/panamax/transformer/tokenizer/hf-bpe/tokenizer.json").toURI());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = new CommandLine(new TokenizeCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println(e.getMessage());
            return 1;
        });
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void one_text_prints_its_ids() throws Exception {
        Run r = run("--model", fixture().toString(), "--ids", "Hello world!");
        assertEquals(0, r.code, r.err);
        assertEquals("18 11 16 17", r.out.strip());
    }

    @Test
    void an_input_file_gives_one_line_of_ids_per_text_plain_or_json(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("corpus.txt");
        Files.writeString(input, "Hello world!\n{\"i\": 1, \"text\": \"Hello\\nworld\"}\nHello<sep>world\n");
        Run r = run("--model", fixture().toString(), "--no-special", "--input", input.toString());
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\\R");
        assertEquals(3, lines.length, r.out);
        assertEquals("11 16 17", lines[0]);
        assertTrue(lines[1].startsWith("11 "), lines[1]); // the JSON line's text, with its newline
        assertEquals("11 20 5 13 15", lines[2]);
    }

    @Test
    void a_missing_input_or_model_file_is_named(@TempDir Path dir) throws Exception {
        Run input = run("--model", fixture().toString(), "--input", dir.resolve("nope.txt").toString());
        assertNotEquals(0, input.code);
        assertTrue(input.err.contains("nope.txt"), input.err);
        Run model = run("--model", dir.resolve("missing.gguf").toString(), "Hello");
        assertNotEquals(0, model.code);
        assertTrue(model.err.contains("missing.gguf"), model.err);
    }
}
