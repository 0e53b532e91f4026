package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.Session;
import dev.panamax.transformer.chat.ChatMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code n} > 1: each choice is a generation of its own, drawn with seed {@code seed + i}, so a request with a seed
 * gets the same choices again, each equal to the model's own reply with that seed; streamed, the choices' pieces
 * interleave, told apart by their index, and join into the same texts.
 */
@ExtendWith(Seeded.class)
class SeveralChoicesTest {
    @TempDir
    Path dir;

    @Test
    void eachChoiceIsItsOwnSequenceReproducibleWithTheSeed(Random random) throws Exception {
        try (TestServer server = new TestServer(dir, random)) {
            long seed = random.nextLong();
            String body = "{\"model\": \"tiny\", \"n\": 3, \"seed\": " + seed + ", \"max_tokens\": 10, \"messages\": [{\"role\": \"user\","
                    + " \"content\": \"Tell me a story\"}]%s}";
            TestServer.Reply r = server.post("/v1/chat/completions", body.formatted(""));
            assertEquals(200, r.status(), r.body());
            JsonNode choices = r.json().path("choices");
            assertEquals(3, choices.size());
            int generated = 0;
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                assertEquals(i, choices.get(i).path("index").asInt());
                GenerateOptions options = Requests.options(10, "max_tokens", null, null, null, null, null, seed + i, null, null);
                Completion expected = server.model.reply(List.of(ChatMessage.user("Tell me a story")), options, s -> { });
                texts.add(choices.get(i).at("/message/content").asText());
                assertEquals(expected.text(), texts.get(i), "choice " + i + " is the reply drawn with seed " + (seed + i));
                generated += expected.generatedTokens();
            }
            assertTrue(texts.stream().distinct().count() > 1, "different seeds, different choices: " + texts);
            assertEquals(generated, r.json().at("/usage/completion_tokens").asInt(), "the choices' tokens summed");
            assertEquals(r.body().replaceAll("\"(id|created)\":[^,]*,", ""), server.post("/v1/chat/completions", body.formatted("")).body()
                    .replaceAll("\"(id|created)\":[^,]*,", ""), "the same request, the same choices");

            StringBuilder[] streamed = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
            int finished = 0;
            for (String e : server.events("/v1/chat/completions", body.formatted(", \"stream\": true"))) {
                if (e.equals("[DONE]")) {
                    continue;
                }
                JsonNode choice = TestServer.json(e).path("choices").get(0);
                streamed[choice.path("index").asInt()].append(choice.at("/delta/content").asText(""));
                finished += choice.path("finish_reason").isNull() ? 0 : 1;
            }
            assertEquals(3, finished, "each choice ends with its finish_reason");
            for (int i = 0; i < 3; i++) {
                assertEquals(texts.get(i), streamed[i].toString(), "streamed choice " + i);
            }
        }
    }

    @Test
    void completionsGiveSeveralChoicesToo(Random random) throws Exception {
        try (TestServer server = new TestServer(dir, random)) {
            int generated = 0;
            TestServer.Reply r = server.post("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"Once\", \"n\": 2, \"seed\": 5,"
                    + " \"max_tokens\": 6}");
            assertEquals(200, r.status(), r.body());
            for (int i = 0; i < 2; i++) {
                GenerateOptions options = Requests.options(6, "max_tokens", null, null, null, null, null, 5L + i, null, null);
                try (Session session = server.model.newSession()) {
                    Completion expected = session.complete(server.model.tokenizer().encode("Once", true, false), options, s -> { });
                    assertEquals(expected.text(), r.json().at("/choices/" + i + "/text").asText(), "choice " + i);
                    generated += expected.generatedTokens();
                }
                assertEquals(i, r.json().at("/choices/" + i + "/index").asInt());
            }
            assertEquals(generated, r.json().at("/usage/completion_tokens").asInt());
        }
    }
}
