package dev.panamax.jmh.e2e;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.panamax.jmh.kernels.MatvecCpuTimeBench;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.Transformer;
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
 * One decode step of a real model file: {@link Transformer#forward(int[], int, float[])} of one token (or a batch
 * of {@link #tokens}) at position {@link #position} (after a prompt filled the cache up to it), the unit of issue
 * 18's targets 3 and 6.
 * With {@code -prof gc} it shows the bytes allocated per decoded token (target: ~0); run with
 * {@code backend=cpu,reference} it shows whether the cpu backend is ever slower than the reference one
 * on this model (target 3), and with {@code -jvmArgsAppend -Dpanamax.cpu.scalar.matmul=0} (and
 * {@code .elements}, {@code .attention}) what the small-shape scalar paths change.
 *
 * <p>{@link #model} is a file name in the models directory ({@code -Dpanamax.models=DIR} or {@code PANAMAX_MODELS};
 * see /work/shared/models/MODELS.md for stories260K), or a path. The same positions are computed on every call:
 * they rewrite their own cache rows, so every op does the same work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1) // C2 compiles the kernels during the first seconds
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DecodeStepBench {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public DecodeStepBench() {
    }

    /** The model file: a name in the models directory, or a path. */
    @Param("stories260K-f32.gguf")
    public String model;

    /** The backend: {@code cpu}, {@code reference} or {@code cuda}. */
    @Param("cpu")
    public String backend;

    /** Threads of the backend. */
    @Param("1")
    public int threads;

    /** The decoded token's position: the attention reads this many cached positions before it. */
    @Param("128")
    public int position;

    /** Tokens per forward step: 1 is a decode step, more a batch of a prompt (the batch sizes of target 3). */
    @Param("1")
    public int tokens;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Ops ops;
    private Model loaded;
    private Transformer transformer;
    private int[] batch;
    private float[] logits;

    /** Loads the model and fills its cache up to {@link #position} with a prompt (not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        Path file = resolve(model);
        ops = Backends.open(backend, threads);
        loaded = Model.open(file, ops, new LoadOptions(Math.max(64, tokens), DType.F16, position + tokens));
        transformer = loaded.transformer();
        logits = new float[loaded.config().vocabSize()];
        int[] prompt = new int[position];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1 + (i * 31 + 7) % (logits.length - 1);
        }
        if (prompt.length > 0) {
            transformer.forward(prompt, 0, logits);
        }
        batch = new int[tokens];
        for (int i = 0; i < tokens; i++) {
            batch[i] = 1 + (i * 17 + 3) % (logits.length - 1);
        }
    }

    /** {@code name} in the models directory, or {@code name} itself when it is a path to a file. */
    static Path resolve(String name) {
        Path direct = Path.of(name);
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        String dir = System.getProperty("panamax.models", System.getenv().getOrDefault("PANAMAX_MODELS", "../shared/models"));
        Path inDir = Path.of(dir).resolve(name);
        if (!Files.isRegularFile(inDir)) {
            throw new IllegalStateException("model " + name + " is neither a file nor in the models directory " + dir
                    + " (-Dpanamax.models=DIR or PANAMAX_MODELS)");
        }
        return inDir;
    }

    /** Closes the model and the backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
        ops.close();
    }

    /**
     * Measures one forward step of {@link #tokens} tokens at {@link #position}, logits included.
     *
     * @param time the thread's counters, reported as secondary metrics
     * @return a logit, so that the work is not optimized away
     */
    @Benchmark
    public float decodeStep(MatvecCpuTimeBench.CpuTime time) {
        long start = THREADS.getCurrentThreadCpuTime();
        transformer.forward(batch, position, logits);
        time.cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
        time.calls++;
        return logits[0];
    }
}
