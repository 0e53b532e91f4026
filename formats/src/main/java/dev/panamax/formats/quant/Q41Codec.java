package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_1: blocks of 32 values in 20 bytes: {@code f16 d, m; u8 qs[16]}, nibbles as in Q4_0;
 * {@code x = d * q + m}. The quantizer takes {@code m = min} and {@code d = (max - min) / 15}.
 */
final class Q41Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 20;

    @Override
    public DType type() {
        return DType.Q4_1;
    }

    @Override
    public void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long block = offset + (long) b * BYTES;
            int y = dstOffset + b * QK;
            float d = Blocks.f16(src, block);
            float m = Blocks.f16(src, block + 2);
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, block + 4 + j);
                dst[y + j] = (q & 0x0F) * d + m;
                dst[y + j + QK / 2] = (q >>> 4) * d + m;
            }
        }
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int b = 0; b < n / QK; b++) {
            long block = offset + (long) b * BYTES;
            int x = srcOffset + b * QK;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 15;
            float id = d != 0f ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, block, d);
            Blocks.putF16(dst, block + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) ((src[x + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (int) ((src[x + j + QK / 2] - min) * id + 0.5f));
                Blocks.putU8(dst, block + 4 + j, q0 | (q1 << 4));
            }
        }
    }
}
