package dev.panamax.jmh.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.panamax.jmh.synth.SynthModel;
import dev.panamax.jmh.synth.SynthShape;
import dev.panamax.jmh.synth.SynthType;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.ModelSession;
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
 * Aggregate decode speed of {@link #slots} sequences decoded together ({@link Model#newBatch}) on a
 * synthetic Llama model ({@link SynthModel}, as {@link EndToEndBench}): one op is {@link #steps}
 * steps, each one token of every slot at positions 0 ... steps - 1, in one forward pass. Aggregate
 * tokens per second = slots · steps / seconds per op; {@code slots = 1} is {@link EndToEndBench#decode}'s
 * single sequence, so the ratio to it is what batching gains (the weights are read once per step
 * for all slots).
 *
 * <p>{@link #mode} {@code sessions} decodes the same tokens with {@link #slots} single-sequence sessions
 * ({@link Model#newSession()}, {@link Transformer#forward(int[], int, float[])}) stepped one after another: the
 * "each sequence alone" baseline in the same JVM. {@link #active} runs fewer sequences than the batch has
 * slots (a server's batch of 8 with one stream). The counters give CPU time besides the clock, which a
 * busy machine inflates less: {@code processNanos / decoded} is the whole process's CPU per token (the
 * kernel workers included), {@code threadNanos / decoded} the caller's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class BatchedDecodeBench {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public BatchedDecodeBench() {
    }

    /** Steps per op: one token of every slot each. */
    @Param("32")
    public int steps;

    /** The backend: {@code cpu}, {@code reference} or {@code cuda}. */
    @Param("cpu")
    public String backend;

    /** Threads of the backend. */
    @Param("2")
    public int threads;

    /** The real model whose shape the synthetic one copies ({@link dev.panamax.jmh.synth.SynthShape#named}). */
    @Param("tinyllama-1.1b")
    public String shape;

    /** Blocks of the synthetic model; 0 = as many as the real model has. */
    @Param("8")
    public int layers;

    /** The synthetic model's file type, e.g. {@code q4_k_m} ({@link dev.panamax.jmh.synth.SynthType}). */
    @Param("q4_k_m")
    public String type;

    /** Sequences decoded together (B). */
    @Param({"1", "2", "4", "8"})
    public int slots;

    /** Sequences that get tokens each step, from slot 0 on; 0 = all {@link #slots}. */
    @Param("0")
    public int active;

    /** {@code batch}: one batched forward per step; {@code sessions}: one single-sequence session per slot, in turn. */
    @Param("batch")
    public String mode;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** CPU and clock nanoseconds of the ops of one iteration, and the tokens they decoded. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Creates the counters; JMH makes one per benchmark thread. */
        public Counters() {
        }

        /** The process's CPU time (every thread: the caller and the kernel workers). */
        public long processNanos;
        /** The benchmark thread's CPU time. */
        public long threadNanos;
        /** The clock. */
        public long wallNanos;
        /** Tokens decoded (all sequences). */
        public long decoded;

        /** Zeroes the counters at the start of each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            processNanos = 0;
            threadNanos = 0;
            wallNanos = 0;
            decoded = 0;
        }
    }

    private Ops ops;
    private Model model;
    private ModelSession batch;
    private Transformer transformer;
    private ModelSession[] sessions;
    private int running;
    private int[][] tokens;
    private int[] positions;
    private float[][] logits;
    private int vocab;

    /**
     * Writes the synthetic model if it is not cached, loads it and opens a batch of {@link #slots} sequences (not measured).
     */
    @Setup(Level.Trial)
    public void setUp() {
        SynthShape s = EndToEndBench.shape(shape, layers);
        Path file = EndToEndBench.modelFile(shape, layers, type);
        try {
            if (!Files.exists(file)) {
                SynthModel.write(s, SynthType.parse(type), file, 42);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic model " + file, e);
        }
        ops = Backends.open(backend, threads);
        model = Model.open(file, ops, new LoadOptions(Math.max(16, slots), DType.F16, steps));
        running = active == 0 ? slots : active;
        if (running < 1 || running > slots) {
            throw new IllegalArgumentException("active " + active + " of " + slots + " slots");
        }
        switch (mode) {
            case "batch" -> {
                batch = model.newBatch(slots);
                transformer = batch.transformer();
            }
            case "sessions" -> {
                sessions = new ModelSession[running];
                for (int i = 0; i < running; i++) {
                    sessions[i] = model.newSession();
                }
            }
            default -> throw new IllegalArgumentException("mode is batch or sessions, not " + mode);
        }
        vocab = s.vocab();
        tokens = new int[slots][];
        for (int i = 0; i < running; i++) {
            tokens[i] = new int[1];
        }
        positions = new int[slots];
        logits = new float[slots][vocab];
    }

    /** Closes the batch, the model and the backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (batch != null) {
            batch.close();
        }
        if (sessions != null) {
            for (ModelSession session : sessions) {
                session.close();
            }
        }
        model.close();
        ops.close();
    }

    /**
     * Measures {@link #steps} decode steps of the {@link #active} sequences: the forward passes only, no sampling.
     *
     * @param c the counters, reported as secondary metrics
     * @return a logit, so that the work is not optimized away
     */
    @Benchmark
    public float decode(Counters c) {
        long wall = System.nanoTime();
        long process = PROCESS.getProcessCpuTime();
        long thread = THREADS.getCurrentThreadCpuTime();
        for (int step = 0; step < steps; step++) {
            for (int s = 0; s < running; s++) {
                tokens[s][0] = 3 + 256 + (step * 31 + s * 101 + 17) % (vocab - 259); // no sampling: only the forward pass is timed
                positions[s] = step;
            }
            if (sessions == null) {
                transformer.forward(tokens, positions, logits);
            } else {
                for (int s = 0; s < running; s++) {
                    sessions[s].transformer().forward(tokens[s], step, logits[s]);
                }
            }
        }
        c.threadNanos += THREADS.getCurrentThreadCpuTime() - thread;
        c.processNanos += PROCESS.getProcessCpuTime() - process;
        c.wallNanos += System.nanoTime() - wall;
        c.decoded += (long) running * steps;
        return logits[0][0];
    }
}
