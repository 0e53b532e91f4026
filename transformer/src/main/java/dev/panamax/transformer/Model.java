package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.family.BuildContext;
import dev.panamax.transformer.family.Families;
import dev.panamax.transformer.family.FamilyConfig;
import dev.panamax.transformer.family.TensorFormat;
import dev.panamax.transformer.family.WeightLoader;
import dev.panamax.transformer.nn.AdapterWeights;
import dev.panamax.transformer.nn.AdapterSlots;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A model file opened for inference: a GGUF file, or a Hugging Face checkpoint directory
 * ({@code config.json} + safetensors). Owns the file mapping, the uploaded weights, the KV cache
 * and the scratch buffers; {@link #close()} releases them all.
 *
 * <p>{@link #transformer()} is the model's own sequence, for one thread. {@link #newSession()} adds
 * sequences of their own (KV cache, scratch, layers) over the same weights, so that several threads
 * generate at once; their forward steps take turns on the backend (one {@link Ops} runs one kernel
 * at a time), each step whole.
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
    private final Ops ops;
    private final LoadOptions options;
    private final WeightLoader weights;
    private final FileGuard files;
    /** Held by every sequence of this model for one forward step: the backend runs one step at a time. */
    private final ReentrantLock backend;
    private final Set<ModelSession> sessions = ConcurrentHashMap.newKeySet();
    private final ModelSession own;
    private boolean closed;

    private Model(Path path, ModelConfig config, FamilyConfig family, Transformer transformer, GgufFile gguf, AutoCloseable file,
                  Arena arena, Ops ops, LoadOptions options, WeightLoader weights, FileGuard files, ReentrantLock backend) {
        this.path = path;
        this.config = config;
        this.family = family;
        this.transformer = transformer;
        this.gguf = gguf;
        this.file = file;
        this.arena = arena;
        this.ops = ops;
        this.options = options;
        this.weights = weights;
        this.files = files;
        this.backend = backend;
        this.own = new ModelSession(transformer, null, s -> { });
    }

    /**
     * Opens {@code path} with {@link LoadOptions#defaults()}.
     *
     * @param path a {@code .gguf} file or a Hugging Face checkpoint directory
     * @param ops  the backend to compute on
     * @return the loaded model; close it to free its memory
     */
    public static Model open(Path path, Ops ops) {
        return open(path, ops, LoadOptions.defaults());
    }

    /**
     * Opens a GGUF file or a Hugging Face checkpoint directory and sets it up on {@code ops}.
     *
     * @param path    a {@code .gguf} file or a Hugging Face checkpoint directory
     * @param ops     the backend to compute on
     * @param options context length, KV cache type, adapters and the other choices made at load
     * @return the loaded model; close it to free its memory
     * @throws UnsupportedModelException for an unknown architecture or feature
     * @throws dev.panamax.formats.FormatException for invalid files, missing or misshapen tensors,
     *         and unsupported tensor types (naming the tensor)
     */
    public static Model open(Path path, Ops ops, LoadOptions options) {
        return open(path, ops, options, LoadListener.NONE);
    }

    /**
     * As {@link #open(Path, Ops, LoadOptions)}, telling {@code listener} how far loading the weights has come.
     *
     * @param path     a {@code .gguf} file or a Hugging Face checkpoint directory
     * @param ops      the backend to compute on
     * @param options  the choices made at load
     * @param listener told of each stage and of the bytes of weights loaded so far
     * @return the loaded model
     */
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
            return build(path, Families.read(g), weights, TensorFormat.GGUF, g, g, ops, options);
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
            WeightLoader weights = new WeightLoader(source, format, ops, arena, config.architecture());
            FileGuard files = FileGuard.of(path, weightFiles(path));
            ReentrantLock backend = new ReentrantLock();
            Transformer t = sequence(config, family, weights, ops, options, arena, files, backend, 1);
            return new Model(path, config, family, t, gguf, file, arena, ops, options, weights, files, backend);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * {@code slots} sequences (one unless batched): their own KV cache, scratch and layers in {@code arena},
     * over the weights {@code weights} uploads once.
     */
    private static Transformer sequence(ModelConfig config, FamilyConfig family, WeightLoader weights, Ops ops, LoadOptions options,
                                        Arena arena, FileGuard files, ReentrantLock backend, int slots) {
        // an encoder's text is one batch (its attention looks both ways), so its scratch holds the whole context
        int rows = family.encoder() ? config.contextLength() : Math.min(options.maxBatch(), config.contextLength());
        int step = Math.max(slots, rows);
        // a sliding-window layer's cache holds the W - 1 positions before a step and the step's own rows
        KvCache cache = new KvCache(ops, arena, config, options.cacheType(), family.valuesAreKeys(), slots, windows(family, config), step);
        Scratch scratch = new Scratch(ops, arena, step);
        // the session's LoRA adapters: their factors and intermediates are its own, the base weights shared
        AdapterSlots slotSets = new AdapterSlots(slots, AdapterSlots.NONE);
        AdapterWeights adapters = new AdapterWeights(ops, arena, scratch, config, weights.format(), slotSets);
        Decoder decoder = family.build(config, new BuildContext(ops, scratch, cache, weights.withAdapters(adapters)));
        int initial = adapters.register(options.adapters());
        for (int s = 0; s < slots; s++) {
            slotSets.use(s, initial);
        }
        return new Transformer(config, decoder, ops, arena, scratch, cache, files, backend, adapters);
    }

    /** Per layer: the positions its attention sees ({@link FamilyConfig#slidingWindow}, 0: all). */
    private static int[] windows(FamilyConfig family, ModelConfig config) {
        int[] w = new int[config.layers()];
        for (int l = 0; l < w.length; l++) {
            w[l] = family.slidingWindow(l);
        }
        return w;
    }

    /**
     * The model's own sequence ({@link #transformer()}) as a session: closing it does nothing, closing
     * the model frees it. Lets a pool of sessions start with the cache the model already holds.
     *
     * @return a session over {@link #transformer()}
     */
    public ModelSession ownSession() {
        return own;
    }

    /**
     * A new sequence over this model's weights, with a KV cache and scratch of its own (as
     * {@link LoadOptions} asked for at open): no weight is copied. One thread drives a session at a
     * time; sessions on different threads run at once. Close it when done (closing the model closes it
     * too).
     *
     * @return a new session; the caller closes it
     * @throws IllegalStateException if the model is closed
     */
    public ModelSession newSession() {
        return newSessionOf(1);
    }

    /**
     * A transformer of {@code slots} sequences over this model's weights ({@link Transformer#slots()}):
     * a KV cache of {@code slots} regions of the context each, scratch for at least {@code slots} rows,
     * so that {@link Transformer#forward(int[][], int[], float[][])} decodes them together, reading the
     * weights once per step for all. Each slot starts with the model's LoRA adapters
     * ({@link LoadOptions#adapters()}), if any, and may be given others ({@link Transformer#useAdapters}). One thread drives it at a time, as a session; its steps take turns on
     * the backend with the other sessions' ones. Close it when done.
     *
     * @param slots the number of sequences decoded together
     * @return a new batched session; the caller closes it
     * @throws IllegalArgumentException if {@code slots} is not positive, or the cache does not fit in memory
     * @throws IllegalStateException    if the model is closed
     */
    public ModelSession newBatch(int slots) {
        if (slots <= 0) {
            throw new IllegalArgumentException("a batch needs at least one slot, got " + slots);
        }
        return newSessionOf(slots);
    }

    private ModelSession newSessionOf(int slots) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(path + " is closed");
            }
        }
        Arena sessionArena = Arena.ofShared();
        try {
            ModelSession s = new ModelSession(sequence(config, family, weights, ops, options, sessionArena, files, backend, slots),
                    sessionArena, sessions::remove);
            sessions.add(s);
            return s;
        } catch (RuntimeException e) {
            sessionArena.close();
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

    /** {@return the file or directory opened} */
    public Path path() {
        return path;
    }

    /** {@return the configuration in use (context length as allocated)} */
    public ModelConfig config() {
        return config;
    }

    /**
     * {@return whether this model is an encoder (BERT): embeddings only, each text in one batch, no next-token
     * logits}
     */
    public boolean isEncoder() {
        return family.encoder();
    }

    /**
     * {@return what this model uses beyond the common hyper-parameters, in words (as {@code panamax inspect}
     * shows)}
     */
    public List<String> features() {
        return family.features();
    }

    /**
     * The model's own sequence: its forward pass over the KV cache allocated at open.
     *
     * @return the transformer, valid until the model is closed
     */
    public Transformer transformer() {
        return transformer;
    }

    /**
     * {@return the model's tokenizer: from the GGUF metadata, or from {@code tokenizer.json} in a Hugging Face
     * checkpoint directory}
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

    /** {@return the GGUF file, for its tokenizer metadata; empty for Hugging Face checkpoints} */
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
        for (ModelSession s : List.copyOf(sessions)) {
            s.close();
        }
        arena.close();
        try {
            file.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + path, e);
        }
    }
}
