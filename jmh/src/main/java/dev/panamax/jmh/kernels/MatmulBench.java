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

/**
 * {@code Ops.matmul} with a weight of every dtype at real model
 * shapes: decode ({@code tokens = 1}, a matrix-vector product bound by reading the weights) and
 * prefill ({@code tokens = 64, 512}, a matrix-matrix product bound by FMA throughput).
 *
 * <p>{@code shape} is the weight's shape {@code N x K}, outermost first as Panamax tensors are:
 * {@code 11008x4096} is Llama-2-7B's FFN up projection, {@code 4096x11008} its down projection,
 * {@code 128256x4096} Llama 3's output head, {@code 2048x5632} TinyLlama 1.1B's FFN down projection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBench extends BackendState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public MatmulBench() {
    }

    /** The weight's dtype: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K ... ({@link dev.panamax.tensor.DType}'s names). */
    @Param("F32")
    public String dtype;

    /** Weight shape N x K. */
    @Param("4096x4096")
    public String shape;

    /** Activation rows M: 1 = decode, more = prefill. */
    @Param("1")
    public int tokens;

    private Tensor x;
    private Tensor w;
    private Tensor out;

    /**
     * Opens the backend and makes the benchmark's random inputs, weights and outputs where it computes (once per trial, not measured).
     */
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

    /** Measures one {@code [tokens, K] · [N, K]ᵀ} product with the weight in {@link #dtype}. */
    @Benchmark
    public void matmul() {
        ops.matmul(x, w, out);
    }
}
