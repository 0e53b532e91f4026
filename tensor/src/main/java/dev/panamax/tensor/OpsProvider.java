package dev.panamax.tensor;

import java.util.Optional;

/**
 * A compute backend, found through {@link java.util.ServiceLoader}. Implementations must be
 * cheap to construct and must not load device libraries or incubator classes until
 * {@link #unavailableReason()} or {@link #create} is called.
 */
public interface OpsProvider {
    /** "reference", "cpu", "cuda", ... */
    String name();

    /** Empty if the backend can run here; otherwise why not, in one sentence. */
    Optional<String> unavailableReason();

    /** A new backend using up to {@code threads} threads for its kernels. */
    Ops create(int threads);
}
