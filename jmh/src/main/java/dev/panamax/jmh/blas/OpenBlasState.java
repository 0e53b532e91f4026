package dev.panamax.jmh.blas;

import java.lang.foreign.Arena;

import dev.panamax.jmh.kernels.RandomTensors;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** What the OpenBLAS baselines share: the library, its thread count and an arena for the operands. */
@State(Scope.Benchmark)
public abstract class OpenBlasState {
    /** Creates the state; subclasses open it in their {@code @Setup} method. */
    public OpenBlasState() {
    }

    /** Threads OpenBLAS may use, as for the Panamax kernels it is compared with. */
    @Param("1")
    public int threads;

    /** The loaded library, with its thread count set. */
    protected OpenBlas blas;
    /** Owns the benchmark's matrices. */
    protected Arena arena;
    /** Seeded inputs, equal in every fork. */
    protected RandomTensors random;

    /** Loads OpenBLAS (failing the benchmark with the reason when it cannot) and sets its threads. */
    protected void open() {
        blas = OpenBlas.load().orElseThrow(() -> new IllegalStateException(OpenBlas.unavailableReason().orElseThrow()));
        blas.setThreads(threads);
        arena = Arena.ofShared();
        random = new RandomTensors(0x0B1A5L);
    }

    /** Frees the arena. */
    protected void close() {
        arena.close();
    }
}
