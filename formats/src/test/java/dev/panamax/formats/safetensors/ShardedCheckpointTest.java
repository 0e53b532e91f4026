package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorClosedException;
import dev.panamax.tensor.testing.Seeded;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class ShardedCheckpointTest {
    private static final String[] SHARDS = {"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors"};

    @TempDir
    Path dir;
    /** tensor name -> its values, and tensor name -> shard. */
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, String> weightMap = new LinkedHashMap<>();

    @BeforeEach
    void writeThreeShards(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            for (int s = 0; s < SHARDS.length; s++) {
                SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
                for (int i = 0; i < 2 + random.nextInt(3); i++) {
                    String name = "model.layers." + s + ".w" + i;
                    long[] shape = {1 + random.nextInt(7), 1 + random.nextInt(9)};
                    Tensor t = Fixtures.randomFloats(arena, random, s == 1 ? DType.BF16 : DType.F32, shape);
                    values.put(name, t.toFloatArray());
                    weightMap.put(name, SHARDS[s]);
                    w.add(name, t);
                }
                w.write(dir.resolve(SHARDS[s]));
            }
        }
        writeIndex(weightMap, "{\"total_size\": 1234, \"note\": \"x\", \"nested\": {\"a\": [1, 2]}}");
    }

    private Path writeIndex(Map<String, String> map, String metadata) {
        StringBuilder json = new StringBuilder("{\"metadata\": " + metadata + ", \"weight_map\": {");
        List<String> entries = new ArrayList<>();
        map.forEach((k, v) -> entries.add("\"" + k + "\": \"" + v + "\""));
        json.append(String.join(",\n", entries)).append("}}");
        return Fixtures.write(dir.resolve(ShardedCheckpoint.INDEX_FILE_NAME), json.toString().getBytes());
    }

    @Test
    void tensors_resolve_across_shards_with_their_values() {
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir); Arena arena = Arena.ofConfined()) {
            assertEquals(List.copyOf(weightMap.keySet()), c.tensorNames());
            assertEquals(List.of(SHARDS), c.shardFiles());
            assertEquals("1234", c.metadata().get("total_size"));
            assertEquals("x", c.metadata().get("note"));
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                assertEquals(weightMap.get(e.getKey()), c.shardOf(e.getKey()));
                assertArrayEquals(e.getValue(), c.tensor(e.getKey()).toFloatArray(), e.getKey());
                assertArrayEquals(e.getValue(), c.readF32(e.getKey(), arena).toFloatArray(), e.getKey());
                assertEquals(values.get(e.getKey()).length, c.info(e.getKey()).numel());
            }
            assertEquals(DType.BF16, c.tensor("model.layers.1.w0").dtype());
        }
    }

    @Test
    void an_unsharded_checkpoint_opens_as_one_shard_from_its_directory_or_file(Random random) throws IOException {
        Path single = Files.createDirectories(dir.resolve("single"));
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Fixtures.randomFloats(arena, random, DType.F32, new long[] {3, 5});
            new SafetensorsWriter().putMetadata("format", "pt").add("lm_head.weight", t).write(single.resolve(ShardedCheckpoint.SINGLE_FILE_NAME));
            for (Path p : List.of(single, single.resolve(ShardedCheckpoint.SINGLE_FILE_NAME))) {
                try (ShardedCheckpoint c = ShardedCheckpoint.open(p)) {
                    assertEquals(List.of("lm_head.weight"), c.tensorNames());
                    assertEquals(List.of(ShardedCheckpoint.SINGLE_FILE_NAME), c.shardFiles());
                    assertEquals("pt", c.metadata().get("format"));
                    assertArrayEquals(t.toFloatArray(), c.tensor("lm_head.weight").toFloatArray());
                }
            }
        }
    }

    @Test
    void threads_resolving_tensors_at_once_share_one_opened_shard_each() throws Exception {
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<List<SafetensorsFile>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    List<SafetensorsFile> seen = new ArrayList<>();
                    for (Map.Entry<String, float[]> e : values.entrySet()) {
                        assertArrayEquals(e.getValue(), c.tensor(e.getKey()).toFloatArray(), e.getKey());
                        seen.add(c.shard(c.shardOf(e.getKey())));
                    }
                    return seen;
                }));
            }
            List<SafetensorsFile> first = results.getFirst().get();
            for (Future<List<SafetensorsFile>> r : results) {
                List<SafetensorsFile> seen = r.get();
                for (int i = 0; i < seen.size(); i++) {
                    assertTrue(seen.get(i) == first.get(i), "every thread got the same opened shard");
                }
            }
        }
    }

    @Test
    void describe_lists_shards_with_their_tensor_counts() {
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir)) {
            c.tensor("model.layers.1.w0");
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            c.describe(new PrintStream(text, true, StandardCharsets.UTF_8));
            String out = text.toString(StandardCharsets.UTF_8);
            for (String shard : SHARDS) {
                long count = weightMap.values().stream().filter(shard::equals).count();
                assertTrue(out.contains(shard + ": " + count + " tensors"), out);
            }
            assertTrue(out.contains("total_size = 1234"), out);
            assertTrue(out.contains("model.layers.1.w0") && !out.contains("model.layers.0.w0"), "only the opened shard's table: " + out);
        }
    }

    @Test
    void shards_open_lazily_so_a_bad_shard_fails_only_when_used() {
        Fixtures.write(dir.resolve(SHARDS[2]), "garbage, not a safetensors file".getBytes());
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir.resolve(ShardedCheckpoint.INDEX_FILE_NAME))) {
            assertArrayEquals(values.get("model.layers.0.w0"), c.tensor("model.layers.0.w0").toFloatArray());
            assertArrayEquals(values.get("model.layers.1.w1"), c.tensor("model.layers.1.w1").toFloatArray());
            FormatException e = assertThrows(FormatException.class, () -> c.tensor("model.layers.2.w0"));
            assertEquals(dir.resolve(SHARDS[2]), e.file());
        }
    }

    @Test
    void closing_the_checkpoint_unmaps_every_shard() {
        ShardedCheckpoint c = ShardedCheckpoint.open(dir);
        Tensor a = c.tensor("model.layers.0.w0");
        Tensor b = c.tensor("model.layers.2.w1");
        c.close();
        c.close();
        assertThrows(TensorClosedException.class, () -> a.getFloat(0, 0));
        assertThrows(TensorClosedException.class, () -> b.getFloat(0, 0));
        assertThrows(IllegalStateException.class, () -> c.tensor("model.layers.1.w0"));
    }

    @Test
    void an_index_entry_whose_shard_lacks_the_tensor_is_named() {
        Map<String, String> wrong = new LinkedHashMap<>(weightMap);
        wrong.put("model.layers.0.w0", SHARDS[1]);
        writeIndex(wrong, "{}");
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir)) {
            FormatException e = assertThrows(FormatException.class, () -> c.tensor("model.layers.0.w0"));
            assertEquals("weight_map[\"model.layers.0.w0\"]", e.field());
            assertEquals("\"" + SHARDS[1] + "\"", e.value());
        }
    }

    @Test
    void shard_names_must_stay_inside_the_checkpoint_directory() {
        for (String bad : new String[] {"../model.safetensors", "/etc/passwd", "sub/dir.safetensors", "..", ""}) {
            Map<String, String> map = new LinkedHashMap<>(weightMap);
            map.put("model.layers.0.w0", bad);
            Path index = writeIndex(map, "{}");
            FormatException e = assertThrows(FormatException.class, () -> ShardedCheckpoint.open(index));
            assertEquals("weight_map[\"model.layers.0.w0\"]", e.field());
        }
    }

    @Test
    void a_missing_shard_file_is_named_in_the_index() throws IOException {
        Files.delete(dir.resolve(SHARDS[1]));
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir)) {
            FormatException e = assertThrows(FormatException.class, () -> c.tensor("model.layers.1.w0"));
            assertEquals(dir.resolve(ShardedCheckpoint.INDEX_FILE_NAME), e.file());
            assertEquals("\"" + SHARDS[1] + "\"", e.value());
        }
    }

    @Test
    void mutated_indexes_throw_only_format_exceptions(Random random) {
        Path index = dir.resolve(ShardedCheckpoint.INDEX_FILE_NAME);
        String valid = new String(Fixtures.read(index), StandardCharsets.UTF_8);
        String[] fragments = {"{", "}", "[", "]", "\"", ",", ":", "null", "-1", "1e999", "\"../x\"", "\"a\"", "[1]", "{}", "0"};
        for (int i = 0; i < 300; i++) {
            int at = random.nextInt(valid.length());
            String mutated = valid.substring(0, at) + fragments[random.nextInt(fragments.length)]
                    + valid.substring(Math.min(valid.length(), at + random.nextInt(6)));
            Fixtures.write(index, mutated.getBytes(StandardCharsets.UTF_8));
            try (ShardedCheckpoint c = ShardedCheckpoint.open(index)) {
                for (String name : c.tensorNames()) {
                    c.tensor(name).toFloatArray();
                }
            } catch (FormatException expected) {
                // the only failure allowed
            } catch (Throwable t) {
                fail("threw " + t + " for " + mutated, t);
            }
        }
    }

    @Test
    void malformed_indexes_fail_with_format_exceptions() {
        Path index = dir.resolve(ShardedCheckpoint.INDEX_FILE_NAME);
        String[] bad = {"{\"metadata\": {}}", "{\"weight_map\": []}", "{\"weight_map\": {\"a\": 3}}", "[]",
                "{\"weight_map\": {\"a\": \"x\", \"a\": \"y\"}}", "{\"weight_map\": {}} trailing",
                "{\"extra\": " + "[".repeat(1000) + "]".repeat(1000) + ", \"weight_map\": {}}", "{\"weight_map\": {\"a\": \"x\""};
        for (String json : bad) {
            Fixtures.write(index, json.getBytes());
            FormatException e = assertThrows(FormatException.class, () -> ShardedCheckpoint.open(index), json);
            assertEquals(index, e.file());
        }
        Fixtures.write(index, ("{\"extra\": " + "[".repeat(65) + "]".repeat(65) + ", \"weight_map\": {}}").getBytes());
        assertTrue(assertThrows(FormatException.class, () -> ShardedCheckpoint.open(index)).getMessage().contains("depth"));
    }
}
