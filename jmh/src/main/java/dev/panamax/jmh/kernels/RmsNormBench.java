package dev.panamax.jmh.kernels;

import java.util.concurrent.TimeUnit;

import dev.panamax.tensor.Tensor;
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

/** {@code Ops.rmsNorm} over {@code rows} rows of {@code dim} (4096: Llama 7B/8B). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RmsNormBench extends BackendState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public RmsNormBench() {
    }

    /** Rows normalized per call: 1 for decode, more for a prompt batch. */
    @Param("1")
    public int rows;

    /** Entries per row: the model dimension. */
    @Param("4096")
    public int dim;

    private Tensor x;
    private Tensor weight;
    private Tensor out;

    /**
     * Opens the backend and makes the benchmark's random inputs, weights and outputs where it computes (once per trial, not measured).
     */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        x = input(rows, dim);
        weight = input(dim);
        out = output(rows, dim);
    }

    /** Closes the backend and frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /** Measures one RMSNorm of {@code rows x dim}, bound by memory bandwidth. */
    @Benchmark
    public void rmsNorm() {
        ops.rmsNorm(x, weight, 1e-5f, out);
    }
}
