package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/** F16: IEEE binary16; widening is exact, narrowing rounds to nearest even (GGML_FP32_TO_FP16). */
final class F16Codec implements BlockCodec {
    @Override
    public DType type() {
        return DType.F16;
    }

    @Override
    public void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Blocks.f16(src, offset + 2L * i);
        }
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int i = 0; i < n; i++) {
            Blocks.putF16(dst, offset + 2L * i, src[srcOffset + i]);
        }
    }
}
