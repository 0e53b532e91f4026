package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code panamax quantize} on a small model written here: where it writes, what it refuses, what it shows. */
@ExtendWith(Seeded.class)
class QuantizeCommandTest {
    @TempDir
    Path dir;

    private Path model(Random random) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putUInt32("llama.block_count", 1);
        try (Arena arena = Arena.ofConfined()) {
            w.addTensor("token_embd.weight", Tensor.of(arena, Seeded.gaussian(random, 8 * 256, 0.02), 8, 256));
            w.addTensor("blk.0.attn_norm.weight", Tensor.of(arena, Seeded.nonZeroFloats(random, 256, 1f), 256));
            w.addTensor("blk.0.attn_q.weight", Tensor.of(arena, Seeded.gaussian(random, 256 * 256, 0.02), 256, 256));
            Path in = dir.resolve("model-f32.gguf");
            w.write(in);
            return in;
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine(java.util.List.of());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void into_a_missing_directory_it_names_the_directory(Random random) throws IOException {
        Path in = model(random);
        Path missing = dir.resolve("no-such-dir");
        Run r = run("quantize", "--type", "Q8_0", in.toString(), missing.resolve("out.gguf").toString());
        assertEquals(1, r.code, r.out);
        assertTrue(r.err.contains("no such directory: " + missing), r.err);
        assertFalse(r.err.contains(".tmp"), "no temporary file name in the message: " + r.err);
    }

    @Test
    void an_existing_output_is_kept_without_force_and_replaced_with_it(Random random) throws IOException {
        Path in = model(random);
        Path out = dir.resolve("out.gguf");
        byte[] precious = {1, 2, 3};
        Files.write(out, precious);
        Run refused = run("quantize", "--type", "Q8_0", in.toString(), out.toString());
        assertEquals(1, refused.code);
        assertTrue(refused.err.contains(out + " exists") && refused.err.contains("--force"), refused.err);
        assertArrayEquals(precious, Files.readAllBytes(out), "the existing file is untouched");

        Run forced = run("quantize", "--force", "--type", "Q8_0", in.toString(), out.toString());
        assertEquals(0, forced.code, forced.err);
        assertTrue(Files.size(out) > precious.length && forced.out.contains("Q8_0"), forced.out);
    }

    @Test
    void the_output_gets_the_permissions_of_any_new_file_not_0600(Random random) throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path in = model(random);
        Path out = dir.resolve("out.gguf");
        Path plain = Files.createFile(dir.resolve("plain")); // what the umask gives a new file
        assertEquals(0, run("quantize", "--type", "Q8_0", in.toString(), out.toString()).code);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
    }

    @Test
    void a_directory_as_output_is_named_as_one(Random random) throws IOException {
        Path in = model(random);
        Run r = run("quantize", "--type", "Q8_0", in.toString(), dir.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains(dir + " is a directory"), r.err);
    }
}
