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

/** The baseline of {@code GemmBench}: OpenBLAS {@code cblas_sgemm} on the same square F32 problem. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OpenBlasGemmBench extends OpenBlasState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public OpenBlasGemmBench() {
    }

    /** The side of the square matrices, as {@link dev.panamax.jmh.kernels.GemmBench#size}. */
    @Param("1024")
    public int size;

    private MemorySegment x;
    private MemorySegment w;
    private MemorySegment out;

    /** Loads OpenBLAS and makes the random matrices (once per trial, not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        x = random.floats(arena, size, size).data();
        w = random.floats(arena, size, size).data();
        out = arena.allocate((long) size * size * Float.BYTES, 64);
    }

    /** Frees the matrices. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /**
     * Measures OpenBLAS's {@code sgemm} on the same product as {@link dev.panamax.jmh.kernels.GemmBench#gemm}: the peer to beat.
     */
    @Benchmark
    public void sgemm() {
        blas.sgemm(size, size, size, x, w, out);
    }
}
