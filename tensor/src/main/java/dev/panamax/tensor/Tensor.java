package dev.panamax.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array over off-heap memory: a {@link DType}, a shape, strides and a byte offset
 * into a {@link MemorySegment}.
 *
 * <h2>Layout</h2>
 * Shapes are written outermost first, as in PyTorch: a weight matrix of {@code rows x cols} has
 * shape {@code [rows, cols]} and its last dimension is contiguous. (GGUF lists the same dimensions
 * innermost first; the readers reverse them.) Strides count elements, not bytes. A tensor of a
 * quantized type stores whole blocks along its last dimension, which must be contiguous; its other
 * strides are multiples of the block size. Such a tensor can be sliced into rows and whole blocks,
 * but not read element by element.
 *
 * <h2>Views</h2>
 * {@link #narrow}, {@link #select}, {@link #transpose}, {@link #permute}, {@link #reshape},
 * {@link #expand} and {@link #rows} return views: new tensors over the same memory, made without
 * copying. Writing through a view writes the original.
 *
 * <h2>Ownership and threads</h2>
 * A tensor owns nothing: its memory belongs to the {@link Arena} it was allocated from (or that
 * mapped the file it views), and every view shares that owner. Once the arena is closed, every access
 * through the tensor or its views throws {@link TensorClosedException}. Tensor objects are immutable
 * and may be shared between threads; the memory they point to is not synchronized. Any number of
 * threads may read at once; a write must happen-before the reads that should see it (kernels
 * write disjoint regions and join before returning). Memory from {@link Arena#ofConfined()} can only be
 * touched by the thread that created the arena, so tensors handed to multi-threaded kernels must come
 * from a shared, automatic or global arena.
 */
public final class Tensor {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final MemorySegment segment;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long byteOffset;
    private final Device device;

    private Tensor(MemorySegment segment, DType dtype, long[] shape, long[] strides, long byteOffset, Device device) {
        this.segment = segment;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.byteOffset = byteOffset;
        this.device = device;
    }

    // ---------------------------------------------------------------- creation

    /**
     * A new zero-filled, contiguous tensor whose memory is owned by {@code arena}.
     *
     * @param arena owns the memory: closing it frees the tensor and every view of it
     * @param dtype the element type; for a quantized type the last dimension must be a multiple of its block size
     * @param shape the sizes of the dimensions, outermost first (none for a scalar)
     * @return the new tensor, aligned to 64 bytes
     * @throws IllegalArgumentException if a size is negative, the block rule is broken, or the bytes overflow a long
     */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        Objects.requireNonNull(arena, "arena");
        long[] s = checkShape(dtype, shape);
        long bytes;
        try {
            bytes = dtype.byteSize(Shapes.product(s));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a " + dtype + " tensor of shape " + Arrays.toString(s)
                    + " needs more than 2^63 bytes", e);
        }
        MemorySegment memory = arena.allocate(Math.max(bytes, 1), 64);
        return new Tensor(memory, dtype, s, Shapes.contiguousStrides(s), 0, Device.HOST);
    }

    /**
     * A new contiguous F32 tensor holding a copy of {@code values}, laid out in {@code shape}.
     *
     * @param arena owns the new tensor's memory
     * @param values the elements in row-major order; the array is copied, not kept
     * @param shape the sizes of the dimensions, whose product must equal {@code values.length}
     * @return the new F32 tensor
     * @throws IllegalArgumentException if the number of values does not match the shape
     */
    public static Tensor of(Arena arena, float[] values, long... shape) {
        Tensor t = allocate(arena, DType.F32, shape);
        if (t.numel() != values.length) {
            throw new IllegalArgumentException(
                    values.length + " values cannot fill shape " + Arrays.toString(shape) + " (" + t.numel() + " elements)");
        }
        MemorySegment.copy(values, 0, t.segment, F32_LE, 0, values.length);
        return t;
    }

    /**
     * A contiguous tensor over existing host memory, starting at byte {@code byteOffset} of
     * {@code memory}, without copying. The tensor shares the segment's owner (its arena).
     *
     * @param memory the host memory to view; its arena stays the owner
     * @param byteOffset where element [0, ..., 0] starts, in bytes from the start of {@code memory}
     * @param dtype how the bytes are read
     * @param shape the sizes of the dimensions, outermost first
     * @return a view of {@code memory}; writes through it change the segment
     * @throws IllegalArgumentException if the tensor would reach past the end of the segment
     */
    public static Tensor wrap(MemorySegment memory, long byteOffset, DType dtype, long... shape) {
        return wrap(memory, byteOffset, dtype, Device.HOST, shape);
    }

    /**
     * A contiguous tensor over memory of a compute device. For a device other than
     * {@link Device#HOST} the segment is a handle whose address is a device pointer: it is never
     * dereferenced on the host, and only the backend of that device reads it.
     *
     * @param memory the memory to view (a device pointer handle unless {@code device} is the host)
     * @param byteOffset where element [0, ..., 0] starts, in bytes
     * @param dtype how the bytes are read
     * @param device where the memory lives
     * @param shape the sizes of the dimensions, outermost first
     * @return a contiguous tensor over {@code memory}
     * @throws IllegalArgumentException if the tensor would reach past the end of the segment
     */
    public static Tensor wrap(MemorySegment memory, long byteOffset, DType dtype, Device device, long... shape) {
        Objects.requireNonNull(memory, "memory");
        long[] s = checkShape(dtype, shape);
        long bytes = dtype.byteSize(Shapes.product(s));
        if (byteOffset < 0 || byteOffset > memory.byteSize() || bytes > memory.byteSize() - byteOffset) {
            throw new IllegalArgumentException("a " + dtype + " tensor of shape " + Arrays.toString(s) + " needs " + bytes
                    + " bytes at offset " + byteOffset + ", but the memory holds " + memory.byteSize() + " bytes");
        }
        return new Tensor(memory, dtype, s, Shapes.contiguousStrides(s), byteOffset, device);
    }

    private static long[] checkShape(DType dtype, long[] shape) {
        Objects.requireNonNull(dtype, "dtype");
        long[] s = shape.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) {
                throw new IllegalArgumentException("negative size " + s[i] + " in dimension " + i + " of shape " + Arrays.toString(s));
            }
        }
        Shapes.product(s); // overflow check
        if (dtype.isQuantized()) {
            if (s.length == 0 || s[s.length - 1] % dtype.blockSize() != 0) {
                throw new IllegalArgumentException("the last dimension of a " + dtype + " tensor must be a multiple of "
                        + dtype.blockSize() + ", got shape " + Arrays.toString(s));
            }
        }
        return s;
    }

    // ---------------------------------------------------------------- properties

    /**
     * The type of the elements.
     *
     * @return this tensor's dtype
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The sizes of the dimensions, outermost first (a copy).
     *
     * @return a new array with one size per dimension
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The size of dimension {@code dim}; negative dims count from the end.
     *
     * @param dim the dimension, 0 for the outermost, -1 for the last
     * @return the number of entries along {@code dim}
     * @throws IndexOutOfBoundsException if {@code dim} is outside {@code [-rank, rank)}
     */
    public long size(int dim) {
        return shape[Shapes.checkDim(dim, shape.length)];
    }

    /**
     * The strides in elements (a copy).
     *
     * @return a new array: the number of elements to step over to move one entry along each dimension
     */
    public long[] strides() {
        return strides.clone();
    }

    /**
     * The stride of dimension {@code dim} in elements; negative dims count from the end.
     *
     * @param dim the dimension, 0 for the outermost, -1 for the last
     * @return the step in elements between neighbours along {@code dim} (0 for a broadcast dimension)
     * @throws IndexOutOfBoundsException if {@code dim} is outside {@code [-rank, rank)}
     */
    public long stride(int dim) {
        return strides[Shapes.checkDim(dim, shape.length)];
    }

    /**
     * The number of dimensions.
     *
     * @return 0 for a scalar, 1 for a vector, 2 for a matrix, ...
     */
    public int rank() {
        return shape.length;
    }

    /**
     * Number of elements (the product of the shape).
     *
     * @return the number of elements (1 for a scalar, 0 if any size is 0)
     */
    public long numel() {
        return Shapes.product(shape);
    }

    /**
     * Offset in bytes of element [0, ..., 0] within {@link #segment()}.
     *
     * @return the offset of the first element in bytes
     */
    public long byteOffset() {
        return byteOffset;
    }

    /**
     * The whole memory segment this tensor views (possibly larger than the tensor).
     *
     * @return the underlying segment; use {@link #byteOffset()} and the strides to find the elements in it
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Where the memory lives; only {@link Device#HOST} tensors can be read and written from Java.
     *
     * @return the tensor's device
     */
    public Device device() {
        return device;
    }

    /**
     * True while the arena that owns the memory is open.
     *
     * @return false once the arena is closed: then every access throws {@link TensorClosedException}
     */
    public boolean isAlive() {
        return segment.scope().isAlive();
    }

    /**
     * True if the elements are laid out row-major without gaps (broadcast dimensions are not).
     *
     * @return whether the strides are those of a contiguous row-major tensor of this shape
     */
    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }

    /**
     * Bytes spanned by the tensor's elements if it is contiguous.
     *
     * @return the element count converted to bytes by the dtype (whole blocks for quantized types)
     */
    public long byteSize() {
        return dtype.byteSize(numel());
    }

    /**
     * The memory of a contiguous tensor as a segment of exactly {@link #byteSize()} bytes: the
     * form kernels read and write.
     *
     * @return a slice of the segment covering exactly the tensor
     * @throws IllegalStateException if the tensor is not contiguous
     */
    public MemorySegment data() {
        if (!isContiguous()) {
            throw new IllegalStateException("data() needs a contiguous tensor; " + describe() + " has strides "
                    + Arrays.toString(strides) + " (call contiguous(arena) first)");
        }
        return segment.asSlice(byteOffset, byteSize());
    }

    /**
     * The bytes of one row of a tensor whose last dimension is contiguous: the row selected by
     * {@code index} over all dimensions but the last.
     *
     * @param index one index for each dimension but the last (none for a vector)
     * @return a slice of {@code dtype.byteSize(size(-1))} bytes holding that row
     * @throws IllegalArgumentException if the number of indices is wrong
     * @throws IllegalStateException if the last dimension is not contiguous
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public MemorySegment row(long... index) {
        if (index.length != shape.length - 1) {
            throw new IllegalArgumentException("row() takes " + (shape.length - 1) + " indices for " + describe());
        }
        if (shape.length > 0 && strides[shape.length - 1] != 1 && shape[shape.length - 1] > 1) {
            throw new IllegalStateException("the last dimension of " + describe() + " is not contiguous");
        }
        long element = 0;
        for (int i = 0; i < index.length; i++) {
            element += Shapes.checkIndex(index[i], i, shape) * strides[i];
        }
        long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        return segment.asSlice(byteOffset + dtype.byteSize(element), dtype.byteSize(cols));
    }

    // ---------------------------------------------------------------- views

    /**
     * The view of {@code length} entries of dimension {@code dim}, starting at {@code start}.
     *
     * @param dim the dimension to cut; negative counts from the end
     * @param start the first entry kept
     * @param length how many entries are kept
     * @return a view of the same rank whose dimension {@code dim} has size {@code length}
     * @throws IndexOutOfBoundsException if the range leaves the dimension
     * @throws IllegalArgumentException if it cuts through a quantized block
     */
    public Tensor narrow(int dim, long start, long length) {
        int d = Shapes.checkDim(dim, shape.length);
        if (start < 0 || length < 0 || start > shape[d] - length) {
            throw new IndexOutOfBoundsException("narrow(" + dim + ", " + start + ", " + length + ") is outside dimension " + d
                    + " of size " + shape[d]);
        }
        if (dtype.isQuantized() && d == shape.length - 1
                && (start % dtype.blockSize() != 0 || length % dtype.blockSize() != 0)) {
            throw new IllegalArgumentException("a " + dtype + " tensor can only be cut along its last dimension at whole blocks of "
                    + dtype.blockSize() + "; got start " + start + ", length " + length);
        }
        long[] s = shape.clone();
        s[d] = length;
        long offset = byteOffset + (length == 0 ? 0 : dtype.byteSize(start * strides[d]));
        return new Tensor(segment, dtype, s, strides.clone(), offset, device);
    }

    /**
     * The view of rows {@code [start, start + count)} of the outermost dimension (works for quantized tensors).
     *
     * @param start the first row
     * @param count how many rows
     * @return a view of {@code count} rows, as {@code narrow(0, start, count)}
     * @throws IllegalArgumentException for a scalar
     */
    public Tensor rows(long start, long count) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("rows() needs a tensor with at least one dimension");
        }
        return narrow(0, start, count);
    }

    /**
     * The view with dimension {@code dim} fixed at {@code index}, and removed.
     *
     * @param dim the dimension to fix; negative counts from the end
     * @param index the entry kept along {@code dim}
     * @return a view of rank {@code rank() - 1}
     * @throws IllegalArgumentException if {@code dim} is the last dimension of a quantized tensor
     * @throws IndexOutOfBoundsException if {@code dim} or {@code index} is out of range
     */
    public Tensor select(int dim, long index) {
        int d = Shapes.checkDim(dim, shape.length);
        if (dtype.isQuantized() && d == shape.length - 1) {
            throw new IllegalArgumentException("cannot select single elements of the last dimension of a " + dtype + " tensor");
        }
        Shapes.checkIndex(index, d, shape);
        long offset = byteOffset + dtype.byteSize(index * strides[d]);
        return new Tensor(segment, dtype, Shapes.remove(shape, d), Shapes.remove(strides, d), offset, device);
    }

    /**
     * The view with dimensions {@code a} and {@code b} swapped.
     *
     * @param a one dimension (negative counts from the end)
     * @param b the other dimension
     * @return a view with the sizes and strides of {@code a} and {@code b} exchanged
     */
    public Tensor transpose(int a, int b) {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int da = Shapes.checkDim(a, shape.length);
        int db = Shapes.checkDim(b, shape.length);
        order[da] = db;
        order[db] = da;
        return permute(order);
    }

    /**
     * The view whose dimension {@code i} is this tensor's dimension {@code order[i]}.
     *
     * @param order a permutation of {@code 0..rank-1} (negative entries count from the end)
     * @return the permuted view
     * @throws IllegalArgumentException if {@code order} is not a permutation, or moves a quantized tensor's last dimension
     */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute needs " + shape.length + " dimensions, got " + Arrays.toString(order));
        }
        boolean[] seen = new boolean[order.length];
        long[] s = new long[order.length];
        long[] st = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shapes.checkDim(order[i], shape.length);
            if (seen[d]) {
                throw new IllegalArgumentException("dimension " + d + " repeated in permutation " + Arrays.toString(order));
            }
            seen[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
        }
        if (dtype.isQuantized() && Shapes.checkDim(order[order.length - 1], shape.length) != shape.length - 1) {
            throw new IllegalArgumentException("the blocks of a " + dtype + " tensor must stay in its last dimension; "
                    + "permutation " + Arrays.toString(order) + " moves them");
        }
        return new Tensor(segment, dtype, s, st, byteOffset, device);
    }

    /**
     * The view of the same elements in another shape (one size may be -1: inferred). Works when
     * the elements' layout allows a view (always for contiguous tensors).
     *
     * @param newShape the new sizes; their product must equal {@link #numel()}
     * @return a view with shape {@code newShape}
     * @throws IllegalArgumentException if the element counts differ, or the layout allows no view
     */
    public Tensor reshape(long... newShape) {
        long[] s = Shapes.inferSize(newShape, numel(), shape);
        if (dtype.isQuantized() && (s.length == 0 || s[s.length - 1] % dtype.blockSize() != 0)) {
            throw new IllegalArgumentException("the last dimension of a " + dtype + " tensor must be a multiple of "
                    + dtype.blockSize() + "; cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(s));
        }
        long[] st = Shapes.viewStrides(shape, strides, s);
        if (st == null || dtype.isQuantized() && !isContiguous()) {
            throw new IllegalArgumentException("cannot reshape " + describe() + " with strides " + Arrays.toString(strides)
                    + " to " + Arrays.toString(s) + " without copying; call contiguous(arena) first");
        }
        return new Tensor(segment, dtype, s, st, byteOffset, device);
    }

    /**
     * The view broadcast to {@code newShape}: dimensions of size 1 are repeated (stride 0) and new
     * leading dimensions are added. A size of -1 keeps the existing size.
     *
     * @param newShape the target sizes, at least as many as this tensor has dimensions
     * @return a view with shape {@code newShape} in which repeated entries share memory
     * @throws IllegalArgumentException if a dimension of size other than 1 would have to grow
     */
    public Tensor expand(long... newShape) {
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("cannot expand " + Arrays.toString(shape) + " to fewer dimensions " + Arrays.toString(newShape));
        }
        int lead = newShape.length - shape.length;
        long[] s = new long[newShape.length];
        long[] st = new long[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int j = i - lead;
            long want = newShape[i];
            if (j < 0) {
                if (want < 0) {
                    throw new IllegalArgumentException("-1 is not allowed for new leading dimension " + i);
                }
                s[i] = want;
                st[i] = 0;
            } else if (want == -1 || want == shape[j]) {
                s[i] = shape[j];
                st[i] = strides[j];
            } else if (shape[j] == 1 && want >= 0) {
                s[i] = want;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("cannot expand dimension " + j + " of size " + shape[j] + " to " + want
                        + " (only size-1 dimensions can be expanded): " + Arrays.toString(shape) + " -> " + Arrays.toString(newShape));
            }
        }
        if (dtype.isQuantized() && st[st.length - 1] == 0 && s[s.length - 1] > 1) {
            throw new IllegalArgumentException("cannot broadcast the last dimension of a " + dtype + " tensor");
        }
        return new Tensor(segment, dtype, s, st, byteOffset, device);
    }

    // ---------------------------------------------------------------- copies

    /**
     * A contiguous copy in memory owned by {@code arena}.
     *
     * @param arena owns the copy's memory
     * @return a new contiguous tensor with the same dtype, shape and elements
     */
    public Tensor contiguous(Arena arena) {
        Tensor copy = allocate(arena, dtype, shape);
        copy.copyFrom(this);
        return copy;
    }

    /**
     * A contiguous copy converted to {@code target} (among plain types; floats round to nearest
     * even, NaN and infinities are kept). Quantized tensors convert only to their own type: use the
     * formats module to quantize or dequantize.
     *
     * @param arena owns the copy's memory
     * @param target the dtype of the copy
     * @return a new contiguous tensor of type {@code target}
     * @throws IllegalArgumentException if a quantized type would have to change
     */
    public Tensor to(Arena arena, DType target) {
        Tensor copy = allocate(arena, target, shape);
        copy.copyFrom(this);
        return copy;
    }

    /**
     * Copies {@code src} into this tensor element by element, converting between plain types.
     * Shapes must be equal; quantized tensors copy whole rows of the same type.
     *
     * @param src the tensor to read; it may be a view with any strides
     * @return this tensor, for chaining
     * @throws IllegalArgumentException if the shapes differ, or a quantized type would have to change
     * @throws IllegalStateException if either tensor is not in host memory
     */
    public Tensor copyFrom(Tensor src) {
        requireHost("copyFrom");
        src.requireHost("copyFrom");
        if (!Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("copy needs equal shapes: " + src.describe() + " into " + describe());
        }
        if (dtype.isQuantized() || src.dtype.isQuantized()) {
            if (dtype != src.dtype) {
                throw new IllegalArgumentException("cannot convert " + src.dtype + " to " + dtype
                        + " by copying; quantize or dequantize with dev.panamax.formats.quant");
            }
            Shapes.forEachRow(shape, (outer) -> MemorySegment.copy(src.row(outer), 0, row(outer), 0, dtype.byteSize(shape[shape.length - 1])));
            return this;
        }
        if (dtype == src.dtype && isContiguous() && src.isContiguous()) {
            MemorySegment.copy(src.segment, src.byteOffset, segment, byteOffset, byteSize());
            return this;
        }
        Tensor from = src;
        boolean integers = !dtype.isFloatingPoint() && !src.dtype.isFloatingPoint();
        Shapes.forEachIndex(shape, index -> {
            if (integers) {
                storeLong(elementOffset(index), from.loadLong(from.elementOffset(index)));
            } else {
                storeDouble(elementOffset(index), from.loadDouble(from.elementOffset(index)));
            }
        });
        return this;
    }

    /**
     * Sets every element to {@code value} (converted to the dtype).
     *
     * @param value the value to store
     * @return this tensor, for chaining
     * @throws UnsupportedOperationException for a quantized tensor
     */
    public Tensor fill(double value) {
        requirePlain("fill");
        requireHost("fill");
        Shapes.forEachIndex(shape, index -> storeDouble(elementOffset(index), value));
        return this;
    }

    // ---------------------------------------------------------------- elements

    /**
     * The element at {@code index} as a double (exact for every plain dtype but I64 beyond 2^53).
     *
     * @param index one index per dimension
     * @return the element's value
     * @throws UnsupportedOperationException for a quantized tensor
     */
    public double getDouble(long... index) {
        requirePlain("getDouble");
        return loadDouble(checkedOffset(index));
    }

    /**
     * The element at {@code index} as a float.
     *
     * @param index one index per dimension
     * @return the element's value rounded to float
     */
    public float getFloat(long... index) {
        return (float) getDouble(index);
    }

    /**
     * The element at {@code index} of an integer tensor.
     *
     * @param index one index per dimension
     * @return the element's value (a float element is truncated toward zero)
     */
    public long getLong(long... index) {
        requirePlain("getLong");
        return loadLong(checkedOffset(index));
    }

    /**
     * Writes {@code value} (rounded to the dtype, ties to even) at {@code index}.
     *
     * @param value the value to store
     * @param index one index per dimension
     */
    public void setDouble(double value, long... index) {
        requirePlain("setDouble");
        storeDouble(checkedOffset(index), value);
    }

    /**
     * Writes {@code value} at {@code index}.
     *
     * @param value the value to store (rounded to the dtype)
     * @param index one index per dimension
     */
    public void setFloat(float value, long... index) {
        setDouble(value, index);
    }

    /**
     * Writes an integer value at {@code index}; for integer dtypes the value is truncated to the type's width.
     *
     * @param value the value to store
     * @param index one index per dimension
     */
    public void setLong(long value, long... index) {
        requirePlain("setLong");
        storeLong(checkedOffset(index), value);
    }

    /**
     * All elements, row-major, as floats (a copy; for tests and small tensors).
     *
     * @return a new array of {@link #numel()} floats
     * @throws IllegalStateException if the tensor has more elements than a Java array can hold
     */
    public float[] toFloatArray() {
        requirePlain("toFloatArray");
        requireHost("toFloatArray");
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(describe() + " has too many elements for a Java array");
        }
        float[] out = new float[(int) n];
        int[] next = {0};
        Shapes.forEachIndex(shape, index -> out[next[0]++] = (float) loadDouble(elementOffset(index)));
        return out;
    }

    /**
     * True if both tensors have the same shape and every pair of elements satisfies
     * {@code |a - b| <= atol + rtol * |b|} (as {@code torch.allclose}; NaNs are never close, equal
     * infinities are).
     *
     * @param other the expected values ({@code b} above)
     * @param rtol the tolerance relative to {@code |b|}
     * @param atol the absolute tolerance
     * @return whether every element is close; false if the shapes differ
     */
    public boolean allClose(Tensor other, double rtol, double atol) {
        requirePlain("allClose");
        other.requirePlain("allClose");
        if (!Arrays.equals(shape, other.shape)) {
            return false;
        }
        boolean[] close = {true};
        Shapes.forEachIndex(shape, index -> {
            double a = loadDouble(elementOffset(index));
            double b = other.loadDouble(other.elementOffset(index));
            if (!(a == b || Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
                close[0] = false;
            }
        });
        return close[0];
    }

    /** Prints like PyTorch: nested brackets, aligned columns, large tensors summarized with "...". */
    @Override
    public String toString() {
        return TensorPrinter.print(this);
    }

    /**
     * A one-line description: dtype, shape and device.
     *
     * @return for example {@code F32[2, 3]}, with {@code @device} appended off the host
     */
    public String describe() {
        return dtype + Arrays.toString(shape) + (device == Device.HOST ? "" : "@" + device);
    }

    // ---------------------------------------------------------------- internals

    long checkedOffset(long[] index) {
        requireHost("element access");
        if (index.length != shape.length) {
            throw new IllegalArgumentException(describe() + " needs " + shape.length + " indices, got " + index.length);
        }
        for (int i = 0; i < index.length; i++) {
            Shapes.checkIndex(index[i], i, shape);
        }
        return elementOffset(index);
    }

    /** Byte offset of the element at {@code index} in the segment (plain dtypes). */
    long elementOffset(long[] index) {
        long e = 0;
        for (int i = 0; i < index.length; i++) {
            e += index[i] * strides[i];
        }
        return byteOffset + e * dtype.bytesPerBlock();
    }

    double loadDouble(long at) {
        return switch (dtype) {
            case F32 -> segment.get(F32_LE, at);
            case F16 -> FloatConversions.f16ToF32(segment.get(I16_LE, at));
            case BF16 -> FloatConversions.bf16ToF32(segment.get(I16_LE, at));
            case F64 -> segment.get(F64_LE, at);
            default -> loadLong(at);
        };
    }

    long loadLong(long at) {
        return switch (dtype) {
            case I8 -> segment.get(ValueLayout.JAVA_BYTE, at);
            case I16 -> segment.get(I16_LE, at);
            case I32 -> segment.get(I32_LE, at);
            case I64 -> segment.get(I64_LE, at);
            default -> (long) loadDouble(at);
        };
    }

    void storeDouble(long at, double v) {
        switch (dtype) {
            case F32 -> segment.set(F32_LE, at, (float) v);
            case F16 -> segment.set(I16_LE, at, FloatConversions.f32ToF16((float) v));
            case BF16 -> segment.set(I16_LE, at, FloatConversions.f32ToBf16((float) v));
            case F64 -> segment.set(F64_LE, at, v);
            default -> storeLong(at, (long) v);
        }
    }

    void storeLong(long at, long v) {
        switch (dtype) {
            case I8 -> segment.set(ValueLayout.JAVA_BYTE, at, (byte) v);
            case I16 -> segment.set(I16_LE, at, (short) v);
            case I32 -> segment.set(I32_LE, at, (int) v);
            case I64 -> segment.set(I64_LE, at, v);
            default -> storeDouble(at, v);
        }
    }

    private void requirePlain(String what) {
        if (dtype.isQuantized()) {
            throw new UnsupportedOperationException(what + " reads single elements, which a " + dtype
                    + " tensor does not have; dequantize it first (dev.panamax.formats.quant)");
        }
    }

    void requireHost(String what) {
        if (device != Device.HOST) {
            throw new IllegalStateException(what + " needs host memory; " + describe() + " lives on " + device);
        }
        if (!segment.scope().isAlive()) {
            throw new TensorClosedException(what + " on " + describe());
        }
    }
}
