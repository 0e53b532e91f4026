package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.chat.ChatModels;
import java.io.PrintWriter;
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
    void nonsenseOptionsAreUsageErrors() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new ServeCommand()).setErr(new PrintWriter(err)).execute("--model", "x.gguf", "--parallel", "0");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("--parallel"), err.toString());
        assertTrue(URI.create("http://127.0.0.1/").isAbsolute());
    }
}
