package dev.panamax.jmh.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.panamax.jmh.synth.SynthModel;
import dev.panamax.jmh.synth.SynthShape;
import dev.panamax.jmh.synth.SynthType;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.DType;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.Transformer;
import dev.panamax.transformer.lora.LoraAdapter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end speed of the transformer on a synthetic Llama model ({@link SynthModel}): llama-bench's
 * {@code pp512} (one 512-token prompt, {@link #prefill}) and {@code tg128} (128 tokens decoded one
 * at a time from position 0, {@link #decode}). Tokens per second = tokens per op / seconds per op.
 * The model file is cached under {@code java.io.tmpdir/panamax-synth}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1) // a decode op is 128 tokens: the first runs while C2 compiles
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class EndToEndBench {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public EndToEndBench() {
    }

    /** Tokens of {@link #prefill}'s prompt, as llama-bench's {@code pp512}. */
    public static final int PROMPT_TOKENS = 512;
    /** Tokens {@link #decode} generates, as llama-bench's {@code tg128}. */
    public static final int GENERATED_TOKENS = 128;

    /** The backend: {@code cpu}, {@code reference} or {@code cuda}. */
    @Param("cpu")
    public String backend;

    /** Threads of the backend. */
    @Param("1")
    public int threads;

    /** The real model whose shape the synthetic one copies ({@link dev.panamax.jmh.synth.SynthShape#named}). */
    @Param("tinyllama-1.1b")
    public String shape;

    /** Blocks of the synthetic model; 0 = as many as the real model has. */
    @Param("2")
    public int layers;

    /** The synthetic model's file type, e.g. {@code q4_0} ({@link dev.panamax.jmh.synth.SynthType}). */
    @Param("q4_0")
    public String type;

    /** A LoRA adapter file applied at scale 1 ({@code panamax lora random} writes one), or empty for none. */
    @Param("")
    public String lora;

    private Ops ops;
    private Model model;
    private Transformer transformer;
    private final int[] prompt = new int[PROMPT_TOKENS];
    private final int[] one = new int[1];
    private float[] logits;

    /**
     * The shape called {@code name} with {@code layers} blocks (0: all of them).
     *
     * @param name   a name {@link SynthShape#named} knows
     * @param layers the blocks to keep, 0 for all
     * @return the shape
     */
    public static SynthShape shape(String name, int layers) {
        SynthShape s = SynthShape.named(name);
        return layers == 0 ? s : s.withLayers(layers);
    }

    /**
     * Where the synthetic model of these parameters is cached.
     *
     * @param shape  the shape's name
     * @param layers the blocks, 0 for all
     * @param type   the file type's name
     * @return the GGUF file under {@code java.io.tmpdir/panamax-synth}
     */
    public static Path modelFile(String shape, int layers, String type) {
        return Path.of(System.getProperty("java.io.tmpdir"), "panamax-synth", shape + "-" + layers + "l-" + type + ".gguf");
    }

    /** Writes the synthetic model if it is not cached, loads it and makes a random prompt (not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        SynthShape s = shape(shape, layers);
        Path file = modelFile(shape, layers, type);
        try {
            if (!Files.exists(file)) {
                SynthModel.write(s, SynthType.parse(type), file, 42);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic model " + file, e);
        }
        ops = Backends.open(backend, threads);
        LoadOptions options = new LoadOptions(PROMPT_TOKENS, DType.F16, PROMPT_TOKENS + GENERATED_TOKENS);
        if (!lora.isEmpty()) {
            options = options.withAdapter(LoraAdapter.open(Path.of(lora)), 1f);
        }
        model = Model.open(file, ops, options);
        transformer = model.transformer();
        logits = new float[s.vocab()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 3 + 256 + (i * 7919) % (s.vocab() - 259);
        }
    }

    /** Closes the model and the backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        ops.close();
    }

    /**
     * Measures the prefill of the {@value #PROMPT_TOKENS}-token prompt from position 0.
     *
     * @return a logit, so that the work is not optimized away
     */
    @Benchmark
    public float prefill() {
        transformer.forward(prompt, 0, logits);
        return logits[0];
    }

    /**
     * Measures {@value #GENERATED_TOKENS} decode steps of one token from position 0 (the tokens fixed, not sampled).
     *
     * @return a logit, so that the work is not optimized away
     */
    @Benchmark
    public float decode() {
        int token = prompt[0];
        for (int pos = 0; pos < GENERATED_TOKENS; pos++) {
            one[0] = token;
            transformer.forward(one, pos, logits);
            token = 3 + 256 + (pos * 31 + 17) % (logits.length - 259); // no sampling: only the forward pass is timed
        }
        return logits[0];
    }
}
