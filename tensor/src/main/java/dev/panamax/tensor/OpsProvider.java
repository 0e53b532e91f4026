package dev.panamax.tensor;

import java.util.Optional;

/**
 * A compute backend, found through {@link java.util.ServiceLoader}. Implementations must be
 * cheap to construct and must not load device libraries or incubator classes until
 * {@link #unavailableReason()} or {@link #create} is called.
 */
public interface OpsProvider {
    /**
     * The name {@link Backends#open(String, int)} finds it by.
     *
     * @return "reference", "cpu", "cuda", ...
     */
    String name();

    /**
     * Whether the backend can run here, without loading it.
     *
     * @return empty if it can; otherwise why not, in one sentence
     */
    Optional<String> unavailableReason();

    /**
     * A new backend.
     *
     * @param threads threads for its kernels, at most; 0 or less lets the backend choose (the CPU
     *                backend then uses one per processor)
     * @return the backend, which the caller closes
     * @throws IllegalStateException if it cannot run here ({@link #unavailableReason()} says why)
     */
    Ops create(int threads);
}
