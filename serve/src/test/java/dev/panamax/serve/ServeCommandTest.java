package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.chat.ChatModels;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code panamax serve}: its options reach the server, and bad ones are usage errors. */
@ExtendWith(Seeded.class)
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void theCommandServesTheModelUnderItsFileNameOnLoopback(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("my-model.gguf"), random, ChatModels.CHATML_JINJA);
        ServeCommand command = new ServeCommand();
        String[] models = new String[1];
        String[] host = new String[1];
        command.started = server -> {
            host[0] = server.uri().getHost();
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/models"))
                        .header("Authorization", "Bearer k1").build(), HttpResponse.BodyHandlers.ofString());
                models[0] = r.body();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command).setErr(new PrintWriter(err));
        int code = cli.execute("--model", file.toString(), "--port", "0", "--parallel", "2", "--ctx", "128", "--api-key", "k1", "-t", "2");
        assertEquals(0, code, err.toString());
        assertEquals("127.0.0.1", host[0]);
        assertTrue(models[0].contains("\"id\":\"my-model\""), models[0]);
        assertTrue(err.toString().contains("my-model on http://127.0.0.1:") && err.toString().contains("context 128"), err.toString());
    }

    @Test
    void anAdapterThatDoesNotFitFailsAtStartEvenAtScaleZero(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("base.gguf"), random, ChatModels.CHATML_JINJA);
        long cols;
        try (GgufFile base = GgufFile.open(file)) {
            cols = base.tensorInfos().stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst().orElseThrow().shape()[1];
        }
        Path adapter = dir.resolve("misfit.gguf");
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.type", "adapter");
        w.putString("adapter.type", "lora");
        w.putFloat32("adapter.lora.alpha", 2);
        try (Arena arena = Arena.ofConfined()) {
            float[] a = new float[(int) (2 * (cols + 1))], b = new float[(int) (2 * cols)];
            java.util.Arrays.fill(a, 0.01f);
            java.util.Arrays.fill(b, 0.02f);
            w.addTensor("blk.0.attn_q.weight.lora_a", Tensor.of(arena, a, 2, cols + 1)); // one column too many
            w.addTensor("blk.0.attn_q.weight.lora_b", Tensor.of(arena, b, cols, 2));
            w.write(adapter);
        }
        ServeCommand command = new ServeCommand();
        command.started = server -> {
            throw new AssertionError("the server must not start with an adapter that does not fit");
        };
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setErr(new PrintWriter(err)).execute("--model", file.toString(), "--port", "0", "--ctx", "64",
                "--lora", adapter + ":0");
        assertTrue(code != 0, err.toString());
        assertTrue(err.toString().contains("blk.0.attn_q.weight"), err.toString());
    }

    @Test
    void nonsenseOptionsAreUsageErrors() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new ServeCommand()).setErr(new PrintWriter(err)).execute("--model", "x.gguf", "--parallel", "0");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("--parallel"), err.toString());
        assertTrue(URI.create("http://127.0.0.1/").isAbsolute());
    }
}
