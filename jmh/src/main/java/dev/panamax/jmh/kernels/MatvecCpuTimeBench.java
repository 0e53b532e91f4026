package dev.panamax.jmh.kernels;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * A one-thread matrix-vector product ({@code Ops.matmul} with {@link #tokens} rows of x, which runs on the
 * caller's thread) timed by the thread's CPU time as well as by the clock: on a machine shared with
 * other work the clock also counts the time the scheduler gave to others, the CPU time does not
 * (caches and memory stay shared). The secondary metrics {@code cpuNanos} and {@code calls} are
 * totals per iteration: {@code cpuNanos / calls} is the CPU time of one product. Run it with
 * {@code threads=1} (the default): with more, the work runs on other threads than the one timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatvecCpuTimeBench extends BackendState {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public MatvecCpuTimeBench() {
    }

    /** The weight's dtype ({@link dev.panamax.tensor.DType}'s names), e.g. Q4_0, Q4_K, Q8_0. */
    @Param("Q4_0")
    public String dtype;

    /** Weight shape N x K. */
    @Param("2048x5632")
    public String shape;

    /** Rows of x: 1 is the matrix-vector product; 2 to 15 a decode step of that many sequences (the few-rows path). */
    @Param("1")
    public int tokens;

    private Tensor x;
    private Tensor w;
    private Tensor out;

    /**
     * CPU nanoseconds and calls of the benchmark thread, summed per iteration (also {@code DecodeStepBench}'s): with
     * {@code threads=1} the team runs on the caller's thread, so {@code cpuNanos / calls} is all of one call's work.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        /** Creates the counters; JMH makes one per benchmark thread. */
        public CpuTime() {
        }

        /** CPU nanoseconds of the benchmark thread inside the calls of this iteration. */
        public long cpuNanos;
        /** Calls run in this iteration. */
        public long calls;

        /** Zeroes the counters at the start of each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            calls = 0;
        }
    }

    /** Opens the backend and makes the random input, weight and output (once per trial, not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        long[] nk = dims(shape);
        x = input(tokens, nk[1]);
        w = ops.upload(arena, random.weights(arena, DType.valueOf(dtype), nk[0], nk[1]));
        out = output(tokens, nk[0]);
    }

    /** Closes the backend and frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /**
     * Measures one {@code [tokens, K] · [N, K]ᵀ} product on this thread, adding its CPU time to {@code time}.
     *
     * @param time the thread's counters, reported as secondary metrics
     */
    @Benchmark
    public void matvec(CpuTime time) {
        long start = THREADS.getCurrentThreadCpuTime();
        ops.matmul(x, w, out);
        time.cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
        time.calls++;
    }
}
