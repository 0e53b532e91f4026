package dev.panamax.formats.safetensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a safetensors header: a tensor's name, type, shape (outermost first, as in Panamax
 * and PyTorch) and byte range {@code [begin, end)} relative to the start of the data section.
 *
 * @param name  the tensor's name
 * @param dtype its type as written in the file (for U8 or BOOL tensors this is the original type;
 *              the tensor view uses {@link SafetensorsDType#storageType()})
 * @param shape dimensions, outermost first (a copy is returned)
 * @param begin first byte of the data, relative to the data section
 * @param end   one past the last byte, relative to the data section
 */
public record SafetensorsTensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {
    /** Checks the name and dtype and copies {@code shape}. */
    public SafetensorsTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** {@return the dimensions, outermost first (a copy)} */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@return number of elements (the product of the shape; 1 for a scalar)} */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** {@return bytes of data: {@code end - begin}} */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsTensorInfo i && name.equals(i.name) && dtype == i.dtype
                && Arrays.equals(shape, i.shape) && begin == i.begin && end == i.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + ": " + dtype + Arrays.toString(shape) + " @ [" + begin + ", " + end + ")";
    }
}
