package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests get a 4xx with OpenAI's error body and a message that says what is wrong; the server goes on. */
@ExtendWith(Seeded.class)
class OpenAiServerErrorsTest {
    @TempDir
    Path dir;

    private static void assertError(TestServer.Reply r, int status, String param, String... words) {
        assertEquals(status, r.status(), r.body());
        assertEquals("invalid_request_error", r.json().at("/error/type").asText(), r.body());
        if (param != null) {
            assertEquals(param, r.json().at("/error/param").asText(), r.body());
        }
        for (String w : words) {
            assertTrue(r.error().contains(w), "'" + w + "' in: " + r.error());
        }
    }

    @Test
    void badBodiesGet400sNamingTheField(Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().limits(2048, Duration.ofSeconds(5)))) {
            String chat = "/v1/chat/completions";
            String hi = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
            assertError(t.post(chat, "{\"messages\": [}"), 400, null, "not valid JSON");
            assertError(t.post(chat, ""), 400, null, "no body");
            assertError(t.post(chat, "[1, 2]"), 400, null, "JSON object");
            assertError(t.post(chat, "{" + hi + ", \"max_tokens\": \"5\"}"), 400, "max_tokens", "'max_tokens' must be an integer");
            assertError(t.post(chat, "{" + hi + ", \"max_tokens\": 2.5}"), 400, "max_tokens", "integer");
            assertError(t.post(chat, "{" + hi + ", \"temperature\": \"hot\"}"), 400, "temperature", "number");
            assertError(t.post(chat, "{" + hi + ", \"stream\": 1}"), 400, "stream", "true or false");
            assertError(t.post(chat, "{\"messages\": [{\"role\": 3, \"content\": \"hi\"}]}"), 400, null, "role");
            assertError(t.post(chat, "{\"messages\": \"hi\"}"), 400, "messages", "array");
            assertError(t.post(chat, "{\"messages\": []}"), 400, "messages", "non-empty");
            assertError(t.post(chat, "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}"), 400, "messages[0].role", "wizard");
            assertError(t.post(chat, "{\"model\": \"gpt-4o\", " + hi + "}"), 400, "model", "'gpt-4o' is not served", "'tiny'");
            assertError(t.post(chat, "{" + hi + ", \"max_tokens\": -1}"), 400, "max_tokens", "must not be negative");
            assertError(t.post(chat, "{" + hi + ", \"temperature\": 3}"), 400, "temperature", "[0.0, 2.0]");
            assertError(t.post(chat, "{" + hi + ", \"n\": 5}"), 400, "n", "[1, 4]", "--parallel");
            assertError(t.post(chat, "{" + hi + ", \"n\": 0}"), 400, "n", "[1, 4]");
            assertError(t.post(chat, "{" + hi + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {}}}"), 400,
                    "response_format", "'response_format.json_schema.schema'");
            assertError(t.post(chat, "{" + hi + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"schema\":"
                    + " {\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"pattern\": \"^a\"}}}}}}"), 400,
                    "response_format", "'pattern'", "#/properties/a");
            assertError(t.post(chat, "{" + hi + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"schema\":"
                    + " {\"type\": \"string\"}}}}"), 400, "response_format", "top-level schema must be an object");
            assertError(t.post(chat, "{" + hi + ", \"response_format\": {\"type\": \"json_object\"}, \"tools\": [{\"type\": \"function\","
                    + " \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\"}}}]}"), 400, "tools", "no syntax");
            assertError(t.post(chat, "{" + hi + ", \"response_format\": \"json\"}"), 400, "response_format", "object");
            assertError(t.post(chat, "{" + hi + ", \"response_format\": {\"type\": \"xml\"}}"), 400, "response_format", "'xml'");
            assertError(t.post(chat, "{" + hi + ", \"parallel_tool_calls\": \"yes\"}"), 400, "parallel_tool_calls", "true or false");
            assertError(t.post(chat, "{" + hi + ", \"logprobs\": 1}"), 400, "logprobs", "true or false");
            assertError(t.post(chat, "{" + hi + ", \"stop\": [\"\"]}"), 400, "stop", "empty");
            assertError(t.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}"), 400, null, "text");
            String longPrompt = "{\"prompt\": \"" + "a b ".repeat(300) + "\"}";
            assertError(t.post("/v1/completions", longPrompt), 400, "prompt", "more than the context of 512");
            assertError(t.post("/v1/completions", "{\"prompt\": 5}"), 400, "prompt", "string");
            assertError(t.post("/v1/embeddings", "{\"input\": [1, 2]}"), 400, "input", "string");
            assertError(t.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat(3000) + "\"}]}"), 413, null,
                    "larger than the server's limit of 2048 bytes");
            assertError(t.get("/v1/chat/completions"), 405, null, "takes POST");
            assertError(t.get("/v1/nothing"), 404, null, "no endpoint GET /v1/nothing");
            // and after all that, it still answers
            TestServer.Reply ok = t.post(chat, "{" + hi + ", \"max_tokens\": 3, \"temperature\": 0}");
            assertEquals(200, ok.status(), ok.body());
            assertEquals(3, ok.json().at("/usage/completion_tokens").asInt());
        }
    }

    @Test
    void withAnApiKeyEveryEndpointButHealthNeedsIt(Random random) throws Exception {
        try (TestServer t = new TestServer(dir, random, ServerSettings.defaults().apiKey("sekrit-123"))) {
            assertEquals(200, t.get("/health").status());
            TestServer.Reply none = t.get("/v1/models");
            assertError(none, 401, null, "API key");
            assertEquals("invalid_api_key", none.json().at("/error/code").asText());
            assertEquals(401, t.get("/v1/models", "Authorization", "Bearer sekrit-124").status());
            assertEquals(401, t.get("/v1/models", "Authorization", "Bearer sekrit-12").status());
            assertEquals(401, t.get("/v1/models", "Authorization", "sekrit-123").status());
            assertEquals(401, t.post("/tokenize", "{\"content\": \"a\"}").status());
            assertEquals(200, t.get("/v1/models", "Authorization", "Bearer sekrit-123").status());
            assertEquals(200, t.post("/tokenize", "{\"content\": \"a\"}", "Authorization", "Bearer sekrit-123").status());
        }
    }
}
