package dev.panamax.jmh.e2e;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.Transformer;
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
 * Steady-state decode of a small real model timed as llama.cpp's peer times it (issue 18 target 3): each op is
 * {@link #tokens} one-token {@link Transformer#forward} calls at positions 0, 1, ... from an empty cache (the
 * loop of llama-bench's tg128 and of {@code llamacpp-decode.mjs}), without sampling, after JMH's warm-up. The
 * primary score is clock time per op; the secondary metrics are totals per iteration, so that
 * {@code threadNanos / decoded}, {@code processNanos / decoded} and {@code wallNanos / decoded} are a token's
 * CPU time on this thread, CPU time of the whole process (the team's threads, GC and JIT too) and clock time: on a
 * shared machine the CPU times are the figures to compare (the peer's script reports its process CPU the same way).
 * {@code -prof gc} shows the bytes allocated per op ({@code tokens} decode steps).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1) // C2 compiles the kernels during the first seconds
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SmallDecodeBench {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public SmallDecodeBench() {
    }

    /** The model file: a name in the models directory, or a path ({@link DecodeStepBench#resolve}). */
    @Param("stories260K-f32.gguf")
    public String model;

    /** The backend: {@code cpu} or {@code reference}. */
    @Param("cpu")
    public String backend;

    /** Threads of the backend. */
    @Param("1")
    public int threads;

    /** One-token steps per op, at positions 0 to tokens - 1 (llama-bench's tg128: 128). */
    @Param("128")
    public int tokens;

    private Ops ops;
    private Model loaded;
    private Transformer transformer;
    private final int[] one = new int[1];
    private float[] logits;

    /** Totals per iteration, reported as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Creates the counters; JMH makes one per benchmark thread. */
        public Counters() {
        }

        /** Tokens decoded. */
        public long decoded;
        /** CPU nanoseconds of the benchmark thread. */
        public long threadNanos;
        /** CPU nanoseconds of the whole process. */
        public long processNanos;
        /** Clock nanoseconds. */
        public long wallNanos;

        /** Zeroes the counters at the start of each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            decoded = 0;
            threadNanos = 0;
            processNanos = 0;
            wallNanos = 0;
        }
    }

    /** Loads the model (not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        ops = Backends.open(backend, threads);
        loaded = Model.open(DecodeStepBench.resolve(model), ops, new LoadOptions(1, DType.F16, tokens));
        transformer = loaded.transformer();
        logits = new float[loaded.config().vocabSize()];
    }

    /** Closes the model and the backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
        ops.close();
    }

    /**
     * Decodes {@link #tokens} tokens one step each from position 0.
     *
     * @param c the counters
     * @return a logit, so that the work is not optimized away
     */
    @Benchmark
    public float decode(Counters c) {
        long wall = System.nanoTime();
        long process = PROCESS.getProcessCpuTime();
        long thread = THREADS.getCurrentThreadCpuTime();
        for (int p = 0; p < tokens; p++) {
            one[0] = 1 + (p * 31 + 7) % (logits.length - 1);
            transformer.forward(one, p, logits);
        }
        c.threadNanos += THREADS.getCurrentThreadCpuTime() - thread;
        c.processNanos += PROCESS.getProcessCpuTime() - process;
        c.wallNanos += System.nanoTime() - wall;
        c.decoded += tokens;
        return logits[0];
    }
}
