package dev.panamax.jmh.kernels;

import java.lang.foreign.Arena;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What every kernel benchmark shares: the backend under test ({@link Backends#open}) with its
 * thread count, and a shared arena that owns the benchmark's tensors. Subclasses call
 * {@link #open()} first in their setup and {@link #close()} in their teardown.
 */
@State(Scope.Benchmark)
public abstract class BackendState {
    /** Creates the state; subclasses open it in their {@code @Setup} method. */
    public BackendState() {
    }

    /** "cpu", "reference" or "cuda". */
    @Param("cpu")
    public String backend;

    /** Threads the backend may use. */
    @Param("1")
    public int threads;

    /** The backend under test, open between {@link #open()} and {@link #close()}. */
    protected Ops ops;
    /** Owns the benchmark's tensors. */
    protected Arena arena;
    /** Seeded inputs and weights, equal in every fork. */
    protected RandomTensors random;

    /** Opens the backend of the {@code backend} parameter with the {@code threads} parameter's threads. */
    protected void open() {
        ops = Backends.open(backend, threads);
        arena = Arena.ofShared();
        random = new RandomTensors(0x5EED_0000L + getClass().getSimpleName().hashCode());
    }

    /**
     * A random F32 tensor placed where the backend computes.
     *
     * @param shape the sizes, outermost first
     * @return the tensor, on the backend's device
     */
    protected Tensor input(long... shape) {
        return ops.upload(arena, random.floats(arena, shape));
    }

    /**
     * A zero F32 tensor where the backend computes.
     *
     * @param shape the sizes, outermost first
     * @return the tensor, on the backend's device
     */
    protected Tensor output(long... shape) {
        return ops.allocate(arena, dev.panamax.tensor.DType.F32, shape);
    }

    /** Closes the backend and the arena. */
    protected void close() {
        ops.close();
        arena.close();
    }

    /** Parses "4096x11008" into {4096, 11008}. */
    static long[] dims(String shape) {
        String[] parts = shape.split("x");
        long[] d = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            d[i] = Long.parseLong(parts[i].trim());
        }
        return d;
    }
}
