package dev.panamax.formats.gguf;

import dev.panamax.formats.FormatException;
import java.nio.file.Path;

/**
 * A tensor whose ggml type is real (the file is valid and opens) but that Panamax cannot compute
 * with, such as the IQ, ternary and FP4 families. Thrown only when that tensor is used.
 */
public final class UnsupportedTensorTypeException extends FormatException {
    /** The tensor that was asked for. */
    private final String tensorName;
    /** Its ggml type id. */
    private final int ggmlType;

    /**
     * Tensor {@code tensorName} of {@code file} has a ggml type Panamax cannot compute with.
     *
     * @param file       the GGUF file
     * @param index      the tensor's position in the file's tensor table
     * @param tensorName the tensor's name
     * @param ggmlType   its ggml type id
     */
    public UnsupportedTensorTypeException(Path file, int index, String tensorName, int ggmlType) {
        super(file, "tensor_infos[" + index + "].type", typeName(ggmlType) + " (ggml type " + ggmlType + ")",
                "tensor '" + tensorName + "' has a type Panamax does not support (supported: F32, F16, BF16, F64, I8..I64, "
                        + "Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K..Q8_K)");
        this.tensorName = tensorName;
        this.ggmlType = ggmlType;
    }

    /** {@return the tensor that was asked for} */
    public String tensorName() {
        return tensorName;
    }

    /** {@return its ggml type id} */
    public int ggmlType() {
        return ggmlType;
    }

    private static String typeName(int id) {
        GgmlType t = GgmlType.byId(id);
        return t == null ? "unknown" : t.name();
    }
}
