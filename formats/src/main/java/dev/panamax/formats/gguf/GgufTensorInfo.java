package dev.panamax.formats.gguf;

import dev.panamax.tensor.DType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF file's tensor table, checked when the file was opened.
 *
 * @param name     the tensor's name, e.g. {@code "blk.0.attn_q.weight"}
 * @param ggmlType ggml's type id, as stored (see {@link GgmlType})
 * @param shape    the sizes, outermost first (GGUF's {@code ne[]} reversed); each at least 1
 * @param offset   byte offset of the data, relative to the start of the data section
 * @param byteSize bytes of data
 * @param index    position in the file's tensor table
 * @param file     the file, for error messages
 */
public record GgufTensorInfo(String name, int ggmlType, long[] shape, long offset, long byteSize, int index, Path file) {
    /**
     * Checks the type id and copies {@code shape}.
     *
     * @throws IllegalArgumentException if {@code ggmlType} is no ggml type
     */
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        if (GgmlType.byId(ggmlType) == null) {
            throw new IllegalArgumentException("unknown ggml type id " + ggmlType);
        }
        shape = shape.clone();
    }

    /** {@return the sizes, outermost first (a copy)} */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the sizes innermost first, as GGUF stores them ({@code ne[0]} is the row length)} */
    public long[] ne() {
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
        }
        return ne;
    }

    /** {@return the ggml type (known to ggml, though perhaps not computable by Panamax)} */
    public GgmlType type() {
        return GgmlType.byId(ggmlType);
    }

    /**
     * {@return the Panamax element type}
     *
     * @throws UnsupportedTensorTypeException for a ggml type Panamax does not compute with (IQ*, TQ*, NVFP4 ...)
     */
    public DType dtype() {
        return type().dtype().orElseThrow(() -> new UnsupportedTensorTypeException(file, index, name, ggmlType));
    }

    /** {@return true if {@link #dtype()} succeeds} */
    public boolean isSupported() {
        return type().dtype().isPresent();
    }

    /** {@return number of elements} */
    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s; // checked against overflow when the file was opened
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && ggmlType == t.ggmlType && Arrays.equals(shape, t.shape)
                && offset == t.offset && byteSize == t.byteSize && index == t.index && Objects.equals(file, t.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, ggmlType, Arrays.hashCode(shape), offset, byteSize, index);
    }

    @Override
    public String toString() {
        return "tensor_infos[" + index + "] '" + name + "' " + type() + " " + Arrays.toString(shape) + " at +" + offset + " (" + byteSize + " bytes)";
    }
}
