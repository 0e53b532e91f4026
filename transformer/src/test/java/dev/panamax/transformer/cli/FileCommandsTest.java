package dev.panamax.transformer.cli;

import dev.panamax.transformer.family.Families;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.testing.Models;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.ModelConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code panamax inspect} and {@code panamax quantize} on the real files of ../shared/models. */
class FileCommandsTest {

    @Test
    void inspect_prints_the_model_and_the_tensor_table() throws Exception {
        Path model = Models.require("stories260K-q4_0.gguf");
        Run r = run(new InspectCommand(), model.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("GGUF v3"), r.out);
        assertTrue(r.out.contains("architecture") && r.out.contains("llama"), r.out);
        assertTrue(r.out.contains("blk.0.attn_q.weight") && r.out.contains("Q4_0"), r.out);
        assertTrue(r.out.contains("blk.4.ffn_down.weight") && r.out.contains("F16"), "ffn_down stays F16 (MODELS.md)");
        assertTrue(r.out.contains("family:      llama (architecture llama)") && r.out.contains("SwiGLU feed-forward"), r.out);
        // no sliding layers: every layer's K and V for the whole default context, F16
        ModelConfig c;
        try (GgufFile g = GgufFile.open(model)) {
            c = Families.read(g).common();
        }
        int context = Math.min(c.contextLength(), LoadOptions.DEFAULT_CONTEXT_CAP);
        long bytes = 2L * c.layers() * c.kvHeads() * c.headDim() * 2 * context;
        assertTrue(r.out.contains("kv cache:    " + bytes + " bytes per sequence at context " + context + " (F16, steps of 64), "
                + bytes / context + " per position"), r.out);
        assertTrue(!r.out.contains("without window caches"), "no sliding layers");
    }

    @Test
    void inspect_names_a_missing_file() {
        Run r = run(new InspectCommand(), "/nonexistent/model.gguf");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("/nonexistent/model.gguf"), r.err);
    }

    @Test
    void inspect_says_that_a_directory_is_one(@TempDir Path dir) {
        Run r = run(new InspectCommand(), dir.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains(dir + " is a directory"), r.err);
    }

    @Test
    void quantize_to_q4_k_m_gives_llama_quantizes_bytes(@TempDir Path dir) throws Exception {
        Path f32 = Models.require("synth-k256-2L-f32.gguf");
        Path expected = Models.require("synth-k256-2L-q4_k_m.gguf");
        Path out = dir.resolve("q4_k_m.gguf");
        Run r = run(new QuantizeCommand(), "--type", "Q4_K_M", f32.toString(), out.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Q4_K=13") && r.out.contains("Q6_K=3"), r.out);
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(out), "byte for byte as llama-quantize wrote it");
    }

    @Test
    void quantize_rejects_an_unknown_type_by_listing_the_known_ones(@TempDir Path dir) {
        Path f32 = Models.require("synth-k256-2L-f32.gguf");
        Run r = run(new QuantizeCommand(), "--type", "Q3_X", f32.toString(), dir.resolve("x.gguf").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("Q3_X") && r.err.contains("Q4_K_M"), r.err);
        assertTrue(Files.notExists(dir.resolve("x.gguf")), "no output for a refused type");
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println(e.getMessage());
            return 1;
        });
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
