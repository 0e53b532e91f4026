package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * The row loop every block quant type shares: a row of {@code n} values is {@code n / blockSize}
 * blocks stored back to back, each {@code type.byteSize(blockSize)} bytes. Subclasses describe one
 * block only: how its bytes decode to {@code blockSize} floats and how those floats encode to them.
 */
abstract class BlockLoopCodec implements BlockCodec {
    private final DType type;
    private final int blockSize;
    private final long blockBytes;

    BlockLoopCodec(DType type) {
        this.type = type;
        this.blockSize = type.blockSize();
        this.blockBytes = type.byteSize(blockSize);
    }

    @Override
    public final DType type() {
        return type;
    }

    @Override
    public final void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / blockSize; b++) {
            dequantizeBlock(src, offset + b * blockBytes, dst, dstOffset + b * blockSize);
        }
    }

    @Override
    public final void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int b = 0; b < n / blockSize; b++) {
            quantizeBlock(src, srcOffset + b * blockSize, dst, offset + b * blockBytes);
        }
    }

    /** Decodes the block at {@code src[block]} into {@code dst[y..y + blockSize)}. */
    abstract void dequantizeBlock(MemorySegment src, long block, float[] dst, int y);

    /** Encodes {@code src[x..x + blockSize)} into the block at {@code dst[block]}. */
    abstract void quantizeBlock(float[] src, int x, MemorySegment dst, long block);
}
