package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * ggml's block formats, row by row: decoding any supported {@link DType} to F32 and encoding F32 to
 * it, bit for bit as ggml does.
 *
 * <p>Supported types: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K,
 * Q6_K, Q8_K and MXFP4, in both directions. The block layouts are listed in {@link DType}; each codec class
 * documents its own. Decoding matches ggml's {@code dequantize_row_*} float for float. Encoding
 * matches ggml's reference quantizers {@code quantize_row_*_ref}, which is what llama-quantize
 * writes when it has no importance matrix.
 *
 * <p>All methods are thread-safe and allocate nothing per row (besides the tensors they return).
 */
public final class Quants {
    private static final BlockCodec[] CODECS = new BlockCodec[DType.values().length];

    static {
        for (BlockCodec c : new BlockCodec[] {new F32Codec(), new F16Codec(), new BF16Codec(), new Q40Codec(),
                new Q41Codec(), new Q50Codec(), new Q51Codec(), new Q80Codec(), new Q81Codec(), new Q2KCodec(),
                new Q3KCodec(), new Q4KCodec(), new Q5KCodec(), new Q6KCodec(), new Q8KCodec(), new Mxfp4Codec()}) {
            CODECS[c.type().ordinal()] = c;
        }
    }

    private Quants() {
    }

    /**
     * {@return true if this class can decode and encode {@code type}}
     *
     * @param type any element type
     */
    public static boolean isSupported(DType type) {
        return CODECS[type.ordinal()] != null;
    }

    /**
     * Decodes {@code n} values of {@code type} stored at {@code src[srcByteOffset]} into
     * {@code dst[dstOffset..dstOffset + n)}.
     *
     * @param type          the type of the stored values
     * @param src           the memory holding the blocks
     * @param srcByteOffset where the first block starts, in bytes
     * @param dst           receives the decoded values
     * @param dstOffset     where the first value goes in {@code dst}
     * @param n             the number of values, a multiple of {@code type.blockSize()}
     * @throws IllegalArgumentException if {@code n} is not a whole number of blocks, or the source or
     *     destination is too small
     * @throws UnsupportedOperationException if {@code type} is not a float or ggml quant type (I8 ... I64, F64)
     */
    public static void dequantizeRow(DType type, MemorySegment src, long srcByteOffset, float[] dst, int dstOffset,
            int n) {
        BlockCodec codec = codec(type);
        checkRange(type, n, src.byteSize(), srcByteOffset, "source segment");
        Objects.checkFromIndexSize(dstOffset, n, dst.length);
        codec.dequantizeRow(src, srcByteOffset, dst, dstOffset, n);
    }

    /**
     * Encodes {@code src[srcOffset..srcOffset + n)} as {@code type} into {@code dst[dstByteOffset]}
     * ({@code type.byteSize(n)} bytes).
     *
     * @param type          the type to encode to
     * @param src           the values to encode
     * @param srcOffset     where the first value is in {@code src}
     * @param n             the number of values, a multiple of {@code type.blockSize()}
     * @param dst           receives the blocks
     * @param dstByteOffset where the first block goes, in bytes
     * @throws IllegalArgumentException if {@code n} is not a whole number of blocks, or the source or
     *     destination is too small
     * @throws UnsupportedOperationException if {@code type} is not a float or ggml quant type
     */
    public static void quantizeRow(DType type, float[] src, int srcOffset, int n, MemorySegment dst,
            long dstByteOffset) {
        BlockCodec codec = codec(type);
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        checkRange(type, n, dst.byteSize(), dstByteOffset, "destination segment");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("cannot quantize " + type + " into a read-only segment");
        }
        codec.quantizeRow(src, srcOffset, n, dst, dstByteOffset);
    }

    /**
     * A new contiguous F32 tensor of {@code t}'s shape holding its values decoded, owned by {@code arena}.
     * {@code t}'s last dimension must be contiguous (as every tensor of a quantized type's is).
     *
     * @param arena owns the result's memory
     * @param t     a host tensor of any type {@link #isSupported} accepts
     * @return the decoded F32 tensor
     */
    public static Tensor dequantize(Arena arena, Tensor t) {
        codec(t.dtype());
        long[] shape = t.shape();
        int cols = shape.length == 0 ? 1 : Math.toIntExact(shape[shape.length - 1]);
        Tensor out = Tensor.allocate(arena, DType.F32, shape);
        MemorySegment outData = out.data();
        float[] row = new float[cols];
        long rows = cols == 0 ? 0 : t.numel() / cols;
        long[] index = new long[Math.max(0, shape.length - 1)];
        for (long r = 0; r < rows; r++) {
            rowIndex(r, shape, index);
            MemorySegment in = shape.length == 0 ? t.segment().asSlice(t.byteOffset(), t.dtype().byteSize(1))
                    : t.row(index);
            dequantizeRow(t.dtype(), in, 0, row, 0, cols);
            MemorySegment.copy(row, 0, outData, ValueLayout.JAVA_FLOAT_UNALIGNED, r * cols * 4L, cols);
        }
        return out;
    }

    /**
     * A new contiguous tensor of {@code type} holding {@code f32} encoded row by row, owned by
     * {@code arena}. The last dimension must be a whole number of {@code type}'s blocks.
     *
     * @param arena owns the result's memory
     * @param f32   the values, F32
     * @param type  the type to encode to
     * @return the encoded tensor, of {@code f32}'s shape
     * @throws IllegalArgumentException if {@code f32} is not F32 or its rows do not fit {@code type}'s blocks
     */
    public static Tensor quantize(Arena arena, Tensor f32, DType type) {
        if (f32.dtype() != DType.F32) {
            throw new IllegalArgumentException("quantize() takes an F32 tensor, not " + f32.describe());
        }
        codec(type);
        long[] shape = f32.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("cannot quantize a scalar to " + type);
        }
        int cols = Math.toIntExact(shape[shape.length - 1]);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("rows of " + cols + " values are not a whole number of " + type
                    + " blocks of " + type.blockSize() + " (tensor " + f32.describe() + ")");
        }
        Tensor out = Tensor.allocate(arena, type, shape);
        MemorySegment outData = out.data();
        float[] row = new float[cols];
        long rows = cols == 0 ? 0 : f32.numel() / cols;
        long rowBytes = type.byteSize(cols);
        long[] index = new long[shape.length - 1];
        for (long r = 0; r < rows; r++) {
            rowIndex(r, shape, index);
            MemorySegment in = f32.row(index);
            MemorySegment.copy(in, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, row, 0, cols);
            quantizeRow(type, row, 0, cols, outData, r * rowBytes);
        }
        return out;
    }

    private static BlockCodec codec(DType type) {
        BlockCodec codec = CODECS[Objects.requireNonNull(type, "type").ordinal()];
        if (codec == null) {
            throw new UnsupportedOperationException("no F32 codec for dtype " + type
                    + ": Quants handles F32, F16, BF16, ggml's block quant types Q4_0 ... Q8_K and MXFP4");
        }
        return codec;
    }

    private static void checkRange(DType type, int n, long segmentSize, long byteOffset, String what) {
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " stores values in blocks of " + type.blockSize() + "; n = " + n
                    + " is not a whole number of blocks");
        }
        long bytes = type.byteSize(n);
        if (byteOffset < 0 || byteOffset > segmentSize - bytes) {
            throw new IllegalArgumentException(what + " of " + segmentSize + " bytes cannot hold " + n + " " + type
                    + " values (" + bytes + " bytes) at byte offset " + byteOffset);
        }
    }

    /** The index over all dimensions but the last of row number {@code r} (row-major). */
    private static void rowIndex(long r, long[] shape, long[] index) {
        for (int d = index.length - 1; d >= 0; d--) {
            index[d] = r % shape[d];
            r /= shape[d];
        }
    }
}
