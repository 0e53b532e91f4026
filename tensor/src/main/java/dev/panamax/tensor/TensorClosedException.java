package dev.panamax.tensor;

/**
 * Thrown when a tensor is read or written after the {@link java.lang.foreign.Arena} that owns its
 * memory was closed. Every view of that memory fails the same way.
 */
public final class TensorClosedException extends IllegalStateException {
    public TensorClosedException(String what) {
        super(what + ": the tensor's memory was freed (the Arena that owns it is closed)");
    }
}
