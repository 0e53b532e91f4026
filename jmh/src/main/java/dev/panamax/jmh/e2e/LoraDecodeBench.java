package dev.panamax.jmh.e2e;

import dev.panamax.jmh.synth.SynthModel;
import dev.panamax.jmh.synth.SynthShape;
import dev.panamax.jmh.synth.SynthType;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.lora.LoraAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * What a LoRA adapter costs a decode step, as paired samples: each op decodes {@value #TOKENS}
 * tokens with the base model, then the same tokens with the base plus the adapter ({@link #lora},
 * scale 1), both models open in this JVM over the same file, and adds each one's CPU time of this
 * thread to its counter. Run it with {@code threads=1}: every product then runs on this thread, so
 * its CPU time is the step's work, which the other programs of a shared machine do not inflate as
 * they do the clock. {@code loraNanos / baseNanos - 1} is the adapter's cost.
 *
 * <p>Both models in one JVM share the JIT's profiles: the base model's matmul and add call sites also see the
 * adapter's small products, so C2 compiles them for both and the base runs slower than it does alone (the paired
 * figure said +6% where separate JVMs said +21%). {@code -p models=base} or {@code models=lora} opens one model
 * only; {@code scripts/bench-lora.sh} alternates such forks, which is the figure of the budget.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LoraDecodeBench {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** Tokens each model decodes per op. */
    public static final int TOKENS = 16;

    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public LoraDecodeBench() {
    }

    /** The adapter file ({@code panamax lora random --model BASE --rank 16 --out FILE}); required. */
    @Param("")
    public String lora;

    /** Threads of the cpu backend: 1 to time all the work on this thread. */
    @Param("1")
    public int threads;

    /** The synthetic model's file type ({@link SynthType}). */
    @Param("q4_k_m")
    public String type;

    /** Blocks of the synthetic TinyLlama-shaped model. */
    @Param("8")
    public int layers;

    /** Which models this JVM opens and decodes: {@code both} (paired in one JVM), {@code base} or {@code lora} alone. */
    @Param("both")
    public String models;

    /** Rows a forward pass may take (the scratch is sized for it); {@link EndToEndBench} opens with 512. */
    @Param("1")
    public int batch;

    private Ops ops;
    private Model base;
    private Model adapted;
    private float[] logits;
    private int position;

    /** CPU nanoseconds of this thread in each model's steps, summed per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        /** Creates the counters; JMH makes one per benchmark thread. */
        public CpuTime() {
        }

        /** CPU nanoseconds of the base model's steps ({@value LoraDecodeBench#TOKENS} per op). */
        public long baseNanos;
        /** CPU nanoseconds of the adapted model's steps ({@value LoraDecodeBench#TOKENS} per op). */
        public long loraNanos;
        /** CPU nanoseconds of the whole process (GC, JIT and team threads too) in the base model's steps. */
        public long baseProcessNanos;
        /** CPU nanoseconds of the whole process in the adapted model's steps. */
        public long loraProcessNanos;
        /** Clock nanoseconds of the base model's steps: what tokens/s means, on a quiet machine. */
        public long baseWallNanos;
        /** Clock nanoseconds of the adapted model's steps. */
        public long loraWallNanos;
        /** Bytes this thread allocated in the base model's steps (0 when a step allocates nothing). */
        public long baseBytes;
        /** Bytes this thread allocated in the adapted model's steps. */
        public long loraBytes;

        /** Zeroes the counters at the start of each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            baseNanos = 0;
            loraNanos = 0;
            baseProcessNanos = 0;
            loraProcessNanos = 0;
            baseWallNanos = 0;
            loraWallNanos = 0;
            baseBytes = 0;
            loraBytes = 0;
        }
    }

    /** Writes the synthetic model if it is not cached and opens it twice, once with the adapter (not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        if (lora.isEmpty()) {
            throw new IllegalArgumentException("-p lora=FILE is required");
        }
        SynthShape s = EndToEndBench.shape("tinyllama-1.1b", layers);
        Path file = EndToEndBench.modelFile("tinyllama-1.1b", layers, type);
        try {
            if (!Files.exists(file)) {
                SynthModel.write(s, SynthType.parse(type), file, 42);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic model " + file, e);
        }
        if (!models.equals("both") && !models.equals("base") && !models.equals("lora")) {
            throw new IllegalArgumentException("-p models must be both, base or lora, got " + models);
        }
        ops = Backends.open("cpu", threads);
        LoadOptions options = new LoadOptions(batch, DType.F16, 4096);
        base = models.equals("lora") ? null : Model.open(file, ops, options);
        adapted = models.equals("base") ? null : Model.open(file, ops, options.withAdapter(LoraAdapter.open(Path.of(lora)), 1f));
        logits = new float[s.vocab()];
    }

    /** Closes the models and the backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (adapted != null) {
            adapted.close();
        }
        if (base != null) {
            base.close();
        }
        ops.close();
    }

    /**
     * Decodes {@value #TOKENS} tokens with each open model at the same positions, base first.
     *
     * @param time the counters, reported as secondary metrics
     * @return a logit, so that the work is not optimized away
     */
    @Benchmark
    public float pair(CpuTime time) {
        if (position + TOKENS > 4000) {
            position = 0;
        }
        long[] b = base == null ? new long[4] : steps(base, position);
        long[] l = adapted == null ? new long[4] : steps(adapted, position);
        time.baseNanos += b[0];
        time.baseProcessNanos += b[1];
        time.baseWallNanos += b[2];
        time.baseBytes += b[3];
        time.loraNanos += l[0];
        time.loraProcessNanos += l[1];
        time.loraWallNanos += l[2];
        time.loraBytes += l[3];
        position += TOKENS;
        return logits[0];
    }

    /** Thread CPU, process CPU, clock nanoseconds and this thread's allocated bytes of {@value #TOKENS} steps. */
    private long[] steps(Model model, int from) {
        int[] one = new int[1];
        long bytes = THREADS.getCurrentThreadAllocatedBytes();
        long wall = System.nanoTime();
        long process = PROCESS.getProcessCpuTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < TOKENS; i++) {
            one[0] = 3 + 256 + ((from + i) * 31 + 17) % (logits.length - 259);
            model.transformer().forward(one, from + i, logits);
        }
        cpu = THREADS.getCurrentThreadCpuTime() - cpu;
        process = PROCESS.getProcessCpuTime() - process;
        wall = System.nanoTime() - wall;
        return new long[] {cpu, process, wall, THREADS.getCurrentThreadAllocatedBytes() - bytes};
    }
}
