package dev.panamax.jmh.kernels;

import java.util.concurrent.TimeUnit;

import dev.panamax.tensor.DType;
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

/** Square F32 GEMM through {@code Ops.matmul}: {@code out[size, size] = x · wᵀ}, 2·size³ flops. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench extends BackendState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public GemmBench() {
    }

    /** The side of the square matrices: {@code x}, {@code w} and {@code out} are {@code size x size}. */
    @Param("1024")
    public int size;

    private Tensor x;
    private Tensor w;
    private Tensor out;

    /**
     * Opens the backend and makes the benchmark's random inputs, weights and outputs where it computes (once per trial, not measured).
     */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        x = input(size, size);
        w = ops.upload(arena, random.weights(arena, DType.F32, size, size));
        out = output(size, size);
    }

    /** Closes the backend and frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /** Measures one {@code size}³ F32 matrix product, bound by FMA throughput. */
    @Benchmark
    public void gemm() {
        ops.matmul(x, w, out);
    }
}
