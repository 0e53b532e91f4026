package dev.panamax.jmh.blas;

import java.lang.foreign.Arena;

import dev.panamax.jmh.kernels.RandomTensors;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** What the OpenBLAS baselines share: the library, its thread count and an arena for the operands. */
@State(Scope.Benchmark)
public abstract class OpenBlasState {
    /** Threads OpenBLAS may use, as for the Panamax kernels it is compared with. */
    @Param("1")
    public int threads;

    protected OpenBlas blas;
    protected Arena arena;
    protected RandomTensors random;

    protected void open() {
        blas = OpenBlas.load().orElseThrow(() -> new IllegalStateException(OpenBlas.unavailableReason().orElseThrow()));
        blas.setThreads(threads);
        arena = Arena.ofShared();
        random = new RandomTensors(0x0B1A5L);
    }

    protected void close() {
        arena.close();
    }
}
