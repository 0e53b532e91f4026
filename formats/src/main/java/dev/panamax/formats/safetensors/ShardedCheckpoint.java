package dev.panamax.formats.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.RegularFiles;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A checkpoint split over several safetensors files, described by an index
 * ({@code model.safetensors.index.json}):
 * <pre>{@code {"metadata": {"total_size": 123}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", ...}}}</pre>
 *
 * Shards are plain file names in the index's directory; each is opened (mapped and validated) the
 * first time one of its tensors is asked for, and checked to hold every tensor the index assigns to
 * it. All shards are mapped into one arena owned by the checkpoint: {@link #close()} unmaps them all,
 * and their tensors die with it. Safe to share between threads.
 *
 * <p>An unsharded checkpoint (one {@code model.safetensors}, no index) opens through the same API
 * as a checkpoint of one shard, so that a model loader needs only this class.
 */
public final class ShardedCheckpoint implements AutoCloseable {
    /** The index's conventional file name. */
    public static final String INDEX_FILE_NAME = "model.safetensors.index.json";
    /** The conventional name of an unsharded checkpoint. */
    public static final String SINGLE_FILE_NAME = "model.safetensors";

    private final Path indexFile;
    private final Map<String, String> metadata;
    private final Map<String, String> weightMap;
    private final List<String> shardFiles;
    private final Arena arena;
    private final Map<String, SafetensorsFile> opened = new HashMap<>();
    private boolean closed;

    private ShardedCheckpoint(Path indexFile, Map<String, String> metadata, Map<String, String> weightMap, Arena arena) {
        this.indexFile = indexFile;
        this.arena = arena;
        this.metadata = metadata;
        this.weightMap = weightMap;
        this.shardFiles = List.copyOf(new LinkedHashSet<>(weightMap.values()));
    }

    /**
     * Opens a checkpoint: {@code path} is an index file, a directory holding
     * {@value #INDEX_FILE_NAME} (or, if it has none, {@value #SINGLE_FILE_NAME}), or a single
     * {@code .safetensors} file, which is then the checkpoint's only shard (its {@code __metadata__}
     * becomes {@link #metadata()}). Shards named by an index are not opened yet.
     *
     * @param path an index file, a checkpoint directory or a single safetensors file
     * @return the checkpoint; close it to unmap its shards
     * @throws FormatException if the index (or the single file) is not valid
     */
    public static ShardedCheckpoint open(Path path) {
        Path index = path;
        if (Files.isDirectory(path)) {
            index = path.resolve(INDEX_FILE_NAME);
            if (!Files.exists(index) && Files.isRegularFile(path.resolve(SINGLE_FILE_NAME))) {
                return single(path.resolve(SINGLE_FILE_NAME));
            }
        } else if (path.getFileName() != null && path.getFileName().toString().endsWith(".safetensors")) {
            return single(path);
        }
        return indexed(index);
    }

    /** A checkpoint of one file, opened (and validated) at once. */
    private static ShardedCheckpoint single(Path file) {
        Arena arena = Arena.ofShared();
        try {
            SafetensorsFile f = SafetensorsFile.open(file, arena);
            Map<String, String> weightMap = new LinkedHashMap<>();
            String name = file.getFileName().toString();
            f.tensorNames().forEach(t -> weightMap.put(t, name));
            ShardedCheckpoint c = new ShardedCheckpoint(file, f.metadata(), Collections.unmodifiableMap(weightMap), arena);
            c.opened.put(name, f);
            return c;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static ShardedCheckpoint indexed(Path index) {
        byte[] json;
        try {
            RegularFiles.require(index, "a safetensors index");
            long size = Files.size(index);
            if (size > Json.MAX_DOCUMENT_BYTES) {
                throw new FormatException(index, "file size", size, "exceeds the index limit of " + Json.MAX_DOCUMENT_BYTES + " bytes");
            }
            json = Files.readAllBytes(index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
        Map<String, String> metadata = Map.of();
        Map<String, String> weightMap = null;
        try (JsonParser p = Json.parser(index, "index", json, 0)) {
            next(p, index);
            Json.expect(p, JsonToken.START_OBJECT, index, "index", "must be a JSON object");
            while (next(p, index) == JsonToken.FIELD_NAME) {
                String key = Json.name(p, index, "index");
                next(p, index);
                switch (key) {
                    case "metadata" -> metadata = readMetadata(p, index);
                    case "weight_map" -> weightMap = readWeightMap(p, index);
                    default -> Json.skip(p, index, "index", 0); // other tools add their own keys
                }
            }
            if (next(p, index) != null) {
                throw new FormatException(index, "index after the closing '}'", Json.tokenText(p), "must end there");
            }
        } catch (IOException e) {
            throw Json.syntaxError(index, "index", 0, e);
        }
        if (weightMap == null) {
            throw new FormatException(index, "weight_map", "missing", "a sharded checkpoint's index maps tensors to files");
        }
        return new ShardedCheckpoint(index, metadata, weightMap, Arena.ofShared());
    }

    private static JsonToken next(JsonParser p, Path index) {
        return Json.next(p, index, "index", 0);
    }

    /** Scalar metadata as text ({@code total_size} is a number in files written by transformers). */
    private static Map<String, String> readMetadata(JsonParser p, Path index) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        Json.expect(p, JsonToken.START_OBJECT, index, "metadata", "must be an object");
        Map<String, String> map = new LinkedHashMap<>();
        while (next(p, index) == JsonToken.FIELD_NAME) {
            String key = Json.name(p, index, "index");
            JsonToken t = next(p, index);
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                Json.skip(p, index, "index", 0); // nested values are not needed to read weights
                continue;
            }
            map.put(key, t == JsonToken.VALUE_STRING ? Json.string(p, index, "metadata[" + Json.quote(key) + "]")
                    : Json.tokenText(p)); // numbers, booleans and null as written
        }
        return Collections.unmodifiableMap(map);
    }

    private static Map<String, String> readWeightMap(JsonParser p, Path index) {
        Json.expect(p, JsonToken.START_OBJECT, index, "weight_map", "must be an object of tensor name -> file name");
        Map<String, String> map = new LinkedHashMap<>();
        while (next(p, index) == JsonToken.FIELD_NAME) {
            String name = Json.name(p, index, "index");
            next(p, index);
            String field = "weight_map[" + Json.quote(name) + "]";
            String file = Json.string(p, index, field);
            if (file.isEmpty() || file.equals(".") || file.equals("..") || file.indexOf('/') >= 0
                    || file.indexOf('\\') >= 0 || file.indexOf('\0') >= 0 || file.indexOf(':') >= 0) {
                throw new FormatException(index, field, Json.quote(file), "must be a file name in the index's directory");
            }
            map.put(name, file);
        }
        return Collections.unmodifiableMap(map);
    }

    /** {@return the index file (or the single safetensors file)} */
    public Path indexFile() {
        return indexFile;
    }

    /**
     * {@return the index's {@code metadata}, scalars as text (e.g. {@code total_size}); a single file's {@code
     * __metadata__}}
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** {@return every tensor's name, in the index's order} */
    public List<String> tensorNames() {
        return List.copyOf(weightMap.keySet());
    }

    /** {@return the shard file names, in order of first appearance in the index} */
    public List<String> shardFiles() {
        return shardFiles;
    }

    /**
     * {@return true if the index lists tensor {@code name}}
     *
     * @param name a tensor name
     */
    public boolean contains(String name) {
        return weightMap.containsKey(name);
    }

    /**
     * {@return the shard file name holding tensor {@code name}}
     *
     * @param name a tensor name
     * @throws NoSuchElementException if the index lists no such tensor
     */
    public String shardOf(String name) {
        String file = weightMap.get(name);
        if (file == null) {
            throw new NoSuchElementException(indexFile + " lists no tensor named " + Json.quote(name));
        }
        return file;
    }

    /**
     * {@return the entry of tensor {@code name} in its shard (opening the shard if needed)}
     *
     * @param name a tensor name
     * @throws NoSuchElementException if the index lists no such tensor
     */
    public SafetensorsTensorInfo info(String name) {
        return shardFor(name).info(name);
    }

    /**
     * Tensor {@code name}: a zero-copy view of its shard's mapping, or for an FP8 weight with block
     * scales ({@link BlockScaledFp8}, the scales in any shard) a BF16 copy made once.
     *
     * @param name a tensor name
     * @return the tensor
     * @throws NoSuchElementException if the index lists no such tensor
     */
    public Tensor tensor(String name) {
        SafetensorsFile shard = shardFor(name);
        String scale = BlockScaledFp8.scaleName(name);
        if (shard.info(name).dtype() == SafetensorsDType.F8_E4M3 && !shard.contains(scale) && contains(scale)) {
            return shard.convertedFp8(name, tensor(scale));
        }
        return shard.tensor(name);
    }

    /**
     * {@return tensor {@code name} decoded to a new F32 tensor in {@code arena}}
     *
     * @param name  a tensor name
     * @param arena owns the decoded copy
     */
    public Tensor readF32(String name, Arena arena) {
        return shardFor(name).readF32(name, arena);
    }

    /**
     * The shard called {@code fileName}, opened on first use.
     *
     * @param fileName a shard's file name as the index writes it, e.g. {@code model-00001-of-00002.safetensors}
     * @return the open shard, owned by this checkpoint
     * @throws FormatException if the shard is invalid or lacks a tensor the index assigns to it
     */
    public synchronized SafetensorsFile shard(String fileName) {
        if (closed) {
            throw new IllegalStateException(indexFile + " is closed");
        }
        SafetensorsFile file = opened.get(fileName);
        if (file == null) {
            if (!shardFiles.contains(fileName)) {
                throw new NoSuchElementException(indexFile + " has no shard " + Json.quote(fileName));
            }
            Path shardPath = indexFile.resolveSibling(fileName);
            if (!Files.isRegularFile(shardPath)) {
                String first = weightMap.entrySet().stream().filter(e -> e.getValue().equals(fileName))
                        .map(Map.Entry::getKey).findFirst().orElseThrow();
                throw new FormatException(indexFile, "weight_map[" + Json.quote(first) + "]", Json.quote(fileName),
                        "names a shard that is not a file next to the index");
            }
            file = SafetensorsFile.open(shardPath, arena);
            List<String> missing = new ArrayList<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                if (e.getValue().equals(fileName) && !file.contains(e.getKey())) {
                    missing.add(e.getKey());
                }
            }
            if (!missing.isEmpty()) {
                throw new FormatException(indexFile, "weight_map[" + Json.quote(missing.getFirst()) + "]",
                        Json.quote(fileName), "that shard has no such tensor (" + missing.size() + " missing)");
            }
            opened.put(fileName, file);
        }
        return file;
    }

    private SafetensorsFile shardFor(String name) {
        return shard(shardOf(name));
    }

    /**
     * Prints the index's metadata, its shards with their tensor counts, and each opened shard's table.
     *
     * @param out where the text goes
     */
    public synchronized void describe(PrintStream out) {
        out.printf(Locale.ROOT, "%s: sharded safetensors checkpoint, %d tensors in %d shards%n", indexFile, weightMap.size(), shardFiles.size());
        metadata.forEach((k, v) -> out.printf(Locale.ROOT, "  %s = %s%n", Json.shown(k), Json.shown(v)));
        for (String shard : shardFiles) {
            long count = weightMap.values().stream().filter(shard::equals).count();
            out.printf(Locale.ROOT, "  %s: %d tensors%n", shard, count);
        }
        opened.values().forEach(f -> f.describe(out));
    }

    /** Unmaps every opened shard; their tensors then throw when used. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            opened.values().forEach(SafetensorsFile::close);
            arena.close();
        }
    }
}
