package dev.panamax.tensor;

/**
 * Thrown when a tensor is read or written after the {@link java.lang.foreign.Arena} that owns its
 * memory was closed. Every view of that memory fails the same way.
 */
public final class TensorClosedException extends IllegalStateException {
    /**
     * Creates the exception.
     *
     * @param what the access that failed and the tensor, e.g. {@code "getFloat on F32[2, 3]"}
     */
    public TensorClosedException(String what) {
        super(what + ": the tensor's memory was freed (the Arena that owns it is closed)");
    }
}
