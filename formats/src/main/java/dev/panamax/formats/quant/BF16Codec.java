package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.FloatConversions;
import java.lang.foreign.MemorySegment;

/** BF16: the high half of a binary32; narrowing rounds to nearest even and keeps NaN a NaN, as ggml. */
final class BF16Codec implements BlockCodec {
    @Override
    public DType type() {
        return DType.BF16;
    }

    @Override
    public void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = FloatConversions.bf16ToF32(Blocks.i16(src, offset + 2L * i));
        }
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int i = 0; i < n; i++) {
            Blocks.putI16(dst, offset + 2L * i, FloatConversions.f32ToBf16(src[srcOffset + i]));
        }
    }
}
