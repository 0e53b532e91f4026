package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.api.Session;
import dev.panamax.transformer.chat.ChatModels;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-request LoRA adapters, as llama-server takes them: a request's {@code lora} field picks the adapters
 * and scales of that request alone, {@code /lora-adapters} lists them and sets the scales of requests that
 * give none. Each output is checked against a session of the same model opened in the test with the same
 * adapters, also when requests with different adapters share the server's batch at once.
 */
class LoraRequestsTest {
    private static final String PROMPT = "the cat sat";
    private static final int TOKENS = 12;

    @TempDir
    static Path dir;
    private static TestServer server;
    private static LoraAdapter first, second;

    @BeforeAll
    static void start() throws IOException {
        Path model = ChatModels.write(dir.resolve("tiny.gguf"), new Random(0x10AA), ChatModels.CHATML_JINJA);
        Path a = randomAdapter(model, dir.resolve("a.gguf"), new Random(1)), b = randomAdapter(model, dir.resolve("b.gguf"), new Random(2));
        first = LoraAdapter.open(a);
        second = LoraAdapter.open(b);
        server = new TestServer(model, ServerSettings.defaults().capacity(4, 16), ModelOptions.defaults().threads(2),
                List.of(new ServedAdapter(a.toString(), first, 1f), new ServedAdapter(b.toString(), second, 0f)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void eachRequestRunsWithTheAdaptersItNames() throws Exception {
        String base = complete("[]"), a = complete("[{\"id\": 0, \"scale\": 1}]"), b = complete("[{\"id\": 1, \"scale\": 1}]");
        String mixed = complete("[{\"id\": 0, \"scale\": 0.5}, {\"id\": 1, \"scale\": 1.5}]");
        assertEquals(reference(AdapterSet.NONE), base);
        assertEquals(reference(AdapterSet.NONE.with(first, 1)), a);
        assertEquals(reference(AdapterSet.NONE.with(second, 1)), b);
        assertEquals(reference(AdapterSet.NONE.with(first, 0.5f).with(second, 1.5f)), mixed);
        assertNotEquals(base, a, "the adapter must change the output for this test to mean anything");
        assertNotEquals(a, b);
        assertEquals(base, complete("[{\"id\": 0, \"scale\": 0}]"), "scale 0 is the base model");
    }

    @Test
    void concurrentRequestsWithDifferentAdaptersEachGetTheirOwnOutput() throws Exception {
        List<String> fields = List.of("[]", "[{\"id\": 0, \"scale\": 1}]", "[{\"id\": 1, \"scale\": 1}]", "[{\"id\": 0, \"scale\": 0.5}]");
        Map<String, String> alone = new LinkedHashMap<>();
        for (String f : fields) {
            alone.put(f, complete(f));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int round = 0; round < 2; round++) {
                List<Future<String>> together = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String f = fields.get(i % fields.size());
                    together.add(pool.submit(() -> complete(f)));
                }
                for (int i = 0; i < 8; i++) {
                    assertEquals(alone.get(fields.get(i % fields.size())), together.get(i).get(), "request " + i + " of round " + round);
                }
            }
        }
    }

    @Test
    void globalScalesApplyToRequestsWithoutTheField() throws Exception {
        TestServer.Reply listed = server.get("/lora-adapters");
        assertEquals(200, listed.status());
        assertEquals(2, listed.json().size());
        assertEquals(0, listed.json().get(0).path("id").asInt());
        assertTrue(listed.json().get(0).path("path").asText().endsWith("a.gguf"));
        assertEquals(1.0, listed.json().get(0).path("scale").asDouble());
        assertEquals(0.0, listed.json().get(1).path("scale").asDouble());
        assertEquals(complete("[{\"id\": 0, \"scale\": 1}]"), complete(null), "the --lora scales by default");
        try {
            TestServer.Reply set = server.post("/lora-adapters", "[{\"id\": 1, \"scale\": 1}]");
            assertEquals(200, set.status(), set.body());
            assertEquals(0.0, set.json().get(0).path("scale").asDouble(), "adapter 0 left out: scale 0");
            assertEquals(1.0, set.json().get(1).path("scale").asDouble());
            assertEquals(complete("[{\"id\": 1, \"scale\": 1}]"), complete(null));
        } finally {
            assertEquals(200, server.post("/lora-adapters", "[{\"id\": 0, \"scale\": 1}]").status());
        }
    }

    @Test
    void badAdapterChoicesGetA400NamingTheField() throws Exception {
        assertBad("[{\"id\": 2, \"scale\": 1}]", "lora[0].id", "has 2 adapters");
        assertBad("[{\"id\": 0, \"scale\": 1}, {\"id\": 0, \"scale\": 2}]", "lora[1].id", "a second time");
        assertBad("[{\"id\": 0, \"scale\": \"high\"}]", "lora[0]", "number");
        assertBad("[{\"id\": 0.5, \"scale\": 1}]", "lora[0]", "integer id");
        assertBad("{\"id\": 0}", "lora", "array");
        TestServer.Reply r = server.post("/lora-adapters", "{\"id\": 0}");
        assertEquals(400, r.status(), r.body());
        assertEquals(405, server.delete("/lora-adapters").status());
    }

    private static void assertBad(String lora, String param, String says) throws Exception {
        TestServer.Reply r = server.post("/v1/completions", body(lora));
        assertEquals(400, r.status(), r.body());
        assertEquals(param, r.json().path("error").path("param").asText(), r.body());
        assertTrue(r.error().contains(says), r.error());
    }

    /** The greedy completion of {@link #PROMPT} through the server, with {@code lora} as the request's field (null: none). */
    private static String complete(String lora) throws IOException, InterruptedException {
        TestServer.Reply r = server.post("/v1/completions", body(lora));
        assertEquals(200, r.status(), r.body());
        return r.json().path("choices").get(0).path("text").asText();
    }

    private static String body(String lora) {
        return "{\"model\": \"tiny\", \"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + TOKENS + ", \"temperature\": 0"
                + (lora == null ? "" : ", \"lora\": " + lora) + "}";
    }

    /** The same completion on a session of the server's model opened here with {@code set}. */
    private static String reference(AdapterSet set) {
        try (Session s = server.model.newSession(set)) {
            int[] prompt = server.model.tokenizer().encode(PROMPT, true, false);
            return s.complete(prompt, GenerateOptions.greedy().maxTokens(TOKENS), piece -> { }).text();
        }
    }

    /** A rank-4 GGUF adapter of every projection with factors large enough to change the greedy tokens. */
    private static Path randomAdapter(Path model, Path out, Random random) throws IOException {
        int rank = 4;
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.type", "adapter");
        w.putString("adapter.type", "lora");
        w.putFloat32("adapter.lora.alpha", rank);
        try (GgufFile base = GgufFile.open(model); Arena arena = Arena.ofConfined()) {
            for (GgufTensorInfo t : base.tensorInfos()) {
                String name = t.name();
                if (!name.startsWith("blk.") || !name.endsWith(".weight") || t.shape().length != 2 || name.contains("norm")) {
                    continue;
                }
                long rows = t.shape()[0], cols = t.shape()[1];
                w.addTensor(name + ".lora_a", gaussian(arena, random, 1 / Math.sqrt(cols), rank, cols));
                w.addTensor(name + ".lora_b", gaussian(arena, random, 1 / Math.sqrt(rank), rows, rank));
            }
            w.write(out);
        }
        assertTrue(Files.size(out) > 0);
        return out;
    }

    private static Tensor gaussian(Arena arena, Random random, double sigma, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * sigma);
        }
        return Tensor.of(arena, v, rows, cols).to(arena, DType.F16);
    }
}
