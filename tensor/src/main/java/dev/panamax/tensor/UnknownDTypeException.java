package dev.panamax.tensor;

/** Thrown for a ggml type id that has no {@link DType}. */
public final class UnknownDTypeException extends IllegalArgumentException {
    private final int ggmlId;

    public UnknownDTypeException(int ggmlId) {
        super("unknown ggml tensor type id " + ggmlId + " (Panamax knows "
                + java.util.Arrays.stream(DType.values()).map(t -> t + "=" + t.ggmlId()).toList() + ")");
        this.ggmlId = ggmlId;
    }

    /** The offending id. */
    public int ggmlId() {
        return ggmlId;
    }
}
