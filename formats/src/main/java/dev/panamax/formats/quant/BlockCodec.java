package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * The codec of one {@link DType}: converts whole rows of blocks to and from F32. Implementations
 * are stateless and thread-safe. Callers ({@link Quants}) have already checked that {@code n} is a
 * whole number of blocks and that the arrays and segments are large enough.
 */
interface BlockCodec {

    /** The type this codec reads and writes. */
    DType type();

    /** Decodes {@code n} values stored at {@code src[offset]} into {@code dst[dstOffset...]}. */
    void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n);

    /** Encodes {@code n} values from {@code src[srcOffset...]} into blocks at {@code dst[offset]}. */
    void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset);
}
