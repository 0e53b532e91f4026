package dev.panamax.jmh.blas;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

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

/** The baseline of F32 decode in {@code MatmulBench}: OpenBLAS {@code cblas_sgemv} with an {@code N x K} weight. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OpenBlasGemvBench extends OpenBlasState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public OpenBlasGemvBench() {
    }

    /** Weight shape N x K, as in {@code MatmulBench}. */
    @Param("4096x4096")
    public String shape;

    private int n;
    private int k;
    private MemorySegment w;
    private MemorySegment x;
    private MemorySegment y;

    /** Loads OpenBLAS and makes the random matrix and vectors (once per trial, not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        String[] nk = shape.split("x");
        n = Integer.parseInt(nk[0]);
        k = Integer.parseInt(nk[1]);
        w = random.floats(arena, n, k).data();
        x = random.floats(arena, k).data();
        y = arena.allocate((long) n * Float.BYTES, 64);
    }

    /** Frees the matrix and vectors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /**
     * Measures OpenBLAS's {@code sgemv} on an F32 decode step's product, as {@link dev.panamax.jmh.kernels.MatmulBench} with one token.
     */
    @Benchmark
    public void sgemv() {
        blas.sgemv(n, k, w, x, y);
    }
}
