package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/** F32: little-endian IEEE binary32, copied as is. */
final class F32Codec implements BlockCodec {
    @Override
    public DType type() {
        return DType.F32;
    }

    @Override
    public void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Blocks.f32(src, offset + 4L * i);
        }
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int i = 0; i < n; i++) {
            Blocks.putF32(dst, offset + 4L * i, src[srcOffset + i]);
        }
    }
}
