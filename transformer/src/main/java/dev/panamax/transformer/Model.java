package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.family.BuildContext;
import dev.panamax.transformer.family.FamilyConfig;
import dev.panamax.transformer.family.TensorFormat;
import dev.panamax.transformer.family.WeightLoader;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.Scratch;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model file opened for inference: a GGUF file, or a Hugging Face checkpoint directory
 * ({@code config.json} + safetensors). Owns the file mapping, the uploaded weights, the KV cache
 * and the scratch buffers; {@link #close()} releases them all.
 *
 * <pre>{@code
 * try (Ops ops = Backends.openCpu(4); Model model = Model.open(Path.of("stories260K.gguf"), ops)) {
 *     float[] logits = model.transformer().forward(new int[] {1}, 0);
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private final Path path;
    private final ModelConfig config;
    private final FamilyConfig family;
    private final Transformer transformer;
    private final GgufFile gguf;
    private final AutoCloseable file;
    private final Arena arena;
    private boolean closed;

    private Model(Path path, ModelConfig config, FamilyConfig family, Transformer transformer, GgufFile gguf, AutoCloseable file,
                  Arena arena) {
        this.path = path;
        this.config = config;
        this.family = family;
        this.transformer = transformer;
        this.gguf = gguf;
        this.file = file;
        this.arena = arena;
    }

    /** Opens {@code path} with {@link LoadOptions#defaults()}. */
    public static Model open(Path path, Ops ops) {
        return open(path, ops, LoadOptions.defaults());
    }

    /**
     * Opens a GGUF file or a Hugging Face checkpoint directory and sets it up on {@code ops}.
     *
     * @throws UnsupportedModelException for an unknown architecture or feature
     * @throws dev.panamax.formats.FormatException for invalid files, missing or misshapen tensors,
     *         and unsupported tensor types (naming the tensor)
     */
    public static Model open(Path path, Ops ops, LoadOptions options) {
        return open(path, ops, options, LoadListener.NONE);
    }

    /** As {@link #open(Path, Ops, LoadOptions)}, telling {@code listener} how far loading the weights has come. */
    public static Model open(Path path, Ops ops, LoadOptions options, LoadListener listener) {
        if (HfCheckpoint.isCheckpoint(path)) {
            HfCheckpoint hf = HfCheckpoint.open(path);
            try {
                WeightSource weights = new ProgressReportingSource(hf, safetensorsBytes(path), listener);
                return build(path, hf.config(), weights, TensorFormat.HUGGING_FACE, null, hf, ops, options);
            } catch (RuntimeException e) {
                closeQuietly(hf, e);
                throw e;
            }
        }
        if (Files.isDirectory(path)) {
            throw new UnsupportedModelException(path + ": a directory without config.json is not a Hugging Face checkpoint");
        }
        GgufFile g;
        try {
            g = GgufFile.open(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path, e);
        }
        try {
            long bytes = g.tensorInfos().stream().mapToLong(dev.panamax.formats.gguf.GgufTensorInfo::byteSize).sum();
            WeightSource weights = new ProgressReportingSource(new GgufWeights(g), bytes, listener);
            return build(path, GgufConfigReader.family(g), weights, TensorFormat.GGUF, g, g, ops, options);
        } catch (RuntimeException e) {
            closeQuietly(g, e);
            throw e;
        }
    }

    /** Sets up the cache and scratch, lets the family build its layers from the weights, and wraps them. */
    private static Model build(Path path, FamilyConfig family, WeightSource source, TensorFormat format, GgufFile gguf,
                               AutoCloseable file, Ops ops, LoadOptions options) {
        ModelConfig fileConfig = family.common();
        ModelConfig config = fileConfig.withContextLength(options.contextFor(fileConfig.contextLength()));
        Arena arena = Arena.ofShared();
        try {
            KvCache cache = new KvCache(ops, arena, config, options.cacheType(), family.valuesAreKeys());
            Scratch scratch = new Scratch(ops, arena, Math.min(options.maxBatch(), config.contextLength()));
            WeightLoader weights = new WeightLoader(source, format, ops, arena, config.architecture());
            Decoder decoder = family.build(config, new BuildContext(ops, scratch, cache, weights));
            Transformer t = new Transformer(config, decoder, ops, arena, scratch, cache, FileGuard.of(path, weightFiles(path)));
            return new Model(path, config, family, t, gguf, file, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The files whose mappings the weights are read from: the GGUF file, or a checkpoint's safetensors files. */
    private static List<Path> weightFiles(Path path) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (var files = Files.list(path)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + path, e);
        }
    }

    /** The size of the checkpoint's safetensors files: its tensors' bytes, give or take the headers. */
    private static long safetensorsBytes(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(f))
                    .mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static void closeQuietly(AutoCloseable c, RuntimeException primary) {
        try {
            c.close();
        } catch (Exception suppressed) {
            primary.addSuppressed(suppressed);
        }
    }

    /** The file or directory opened. */
    public Path path() {
        return path;
    }

    /** The configuration in use (context length as allocated). */
    public ModelConfig config() {
        return config;
    }

    /** What this model uses beyond the common hyper-parameters, in words (as {@code panamax inspect} shows). */
    public List<String> features() {
        return family.features();
    }

    public Transformer transformer() {
        return transformer;
    }

    /**
     * The model's tokenizer: from the GGUF metadata, or from {@code tokenizer.json} in a Hugging Face
     * checkpoint directory.
     *
     * @throws UnsupportedModelException if the model carries no tokenizer
     */
    public Tokenizer tokenizer() {
        if (gguf != null) {
            return Tokenizer.fromGguf(gguf.model());
        }
        Path json = path.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new UnsupportedModelException(path + ": no tokenizer.json next to config.json");
        }
        return Tokenizer.fromHuggingFace(json);
    }

    /** The GGUF file, for its tokenizer metadata; empty for Hugging Face checkpoints. */
    public Optional<GgufFile> gguf() {
        return Optional.ofNullable(gguf);
    }

    /** Frees the backend memory, the cache and the scratch, and unmaps the file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        try {
            file.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + path, e);
        }
    }
}
