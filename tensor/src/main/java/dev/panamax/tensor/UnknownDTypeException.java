package dev.panamax.tensor;

/** Thrown for a ggml type id that has no {@link DType}. */
public final class UnknownDTypeException extends IllegalArgumentException {
    /** The id that was read (serialized with the exception). */
    private final int ggmlId;

    /**
     * Creates the exception; its message lists the ids Panamax knows.
     *
     * @param ggmlId the id that was read
     */
    public UnknownDTypeException(int ggmlId) {
        super("unknown ggml tensor type id " + ggmlId + " (Panamax knows "
                + java.util.Arrays.stream(DType.values()).map(t -> t + "=" + t.ggmlId()).toList() + ")");
        this.ggmlId = ggmlId;
    }

    /**
     * The offending id.
     *
     * @return the id that has no {@link DType}
     */
    public int ggmlId() {
        return ggmlId;
    }
}
