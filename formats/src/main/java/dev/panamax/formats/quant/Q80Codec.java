package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q8_0: blocks of 32 values in 34 bytes: {@code f16 d; i8 qs[32]}; {@code x = d * q}, with
 * {@code d = amax / 127} and {@code q = roundf(x / d)} (halves away from zero).
 */
final class Q80Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 34;

    @Override
    public DType type() {
        return DType.Q8_0;
    }

    @Override
    public void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long block = offset + (long) b * BYTES;
            int y = dstOffset + b * QK;
            float d = Blocks.f16(src, block);
            for (int j = 0; j < QK; j++) {
                dst[y + j] = Blocks.i8(src, block + 2 + j) * d;
            }
        }
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int b = 0; b < n / QK; b++) {
            long block = offset + (long) b * BYTES;
            int x = srcOffset + b * QK;
            float amax = 0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(src[x + j]));
            }
            float d = amax / 127;
            float id = d != 0f ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, block, d);
            for (int j = 0; j < QK; j++) {
                Blocks.putU8(dst, block + 2 + j, Blocks.roundHalfAway(src[x + j] * id));
            }
        }
    }
}
