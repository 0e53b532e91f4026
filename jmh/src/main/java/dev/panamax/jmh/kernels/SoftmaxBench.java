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

/**
 * {@code Ops.softmax} over the rows of a {@code rows x cols} matrix: {@code 32x2048} is one layer's
 * attention scores (32 heads, 2048 positions), {@code 1x128256} a sampling step over Llama 3's vocabulary.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SoftmaxBench extends BackendState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public SoftmaxBench() {
    }

    /** The matrix, {@code rows x cols}, softmaxed along each row. */
    @Param("32x2048")
    public String shape;

    private Tensor x;
    private Tensor out;

    /**
     * Opens the backend and makes the benchmark's random inputs, weights and outputs where it computes (once per trial, not measured).
     */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        long[] rc = dims(shape);
        x = input(rc[0], rc[1]);
        out = output(rc[0], rc[1]);
    }

    /** Closes the backend and frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /** Measures one softmax of every row of the matrix. */
    @Benchmark
    public void softmax() {
        ops.softmax(x, out);
    }
}
