package dev.panamax.jmh.kernels;

import java.util.concurrent.TimeUnit;

import dev.panamax.tensor.Rope;
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

/** {@code Ops.rope} on {@code tokens} rows of 32 heads of 128 (Llama 7B/8B queries), at positions 1000... */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RopeBench extends BackendState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public RopeBench() {
    }

    /** Heads per token. */
    public static final int HEADS = 32;
    /** Entries per head, all rotated. */
    public static final int HEAD_DIM = 128;

    /** Tokens rotated per call: 1 for decode, more for a prompt batch. */
    @Param("1")
    public int tokens;

    private final Rope rope = Rope.of(Rope.Layout.INTERLEAVED, HEAD_DIM, 500_000);
    private Tensor x;
    private Tensor out;

    /**
     * Opens the backend and makes the benchmark's random inputs, weights and outputs where it computes (once per trial, not measured).
     */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        x = input(tokens, HEADS, HEAD_DIM);
        out = output(tokens, HEADS, HEAD_DIM);
    }

    /** Closes the backend and frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /** Measures one rotation of {@code tokens x 32 x 128} entries (interleaved pairs, base 500000). */
    @Benchmark
    public void rope() {
        ops.rope(x, 1000, rope, out);
    }
}
