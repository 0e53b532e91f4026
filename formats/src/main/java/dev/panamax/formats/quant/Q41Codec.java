package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_1: blocks of 32 values in 20 bytes: {@code f16 d, m; u8 qs[16]}, nibbles as in Q4_0;
 * {@code x = d * q + m}. The quantizer takes {@code m = min} and {@code d = (max - min) / 15}.
 */
final class Q41Codec extends BlockLoopCodec {
    private static final int QK = 32;

    Q41Codec() {
        super(DType.Q4_1);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block);
        float m = Blocks.f16(src, block + 2);
        for (int j = 0; j < QK / 2; j++) {
            int q = Blocks.u8(src, block + 4 + j);
            dst[y + j] = (q & 0x0F) * d + m;
            dst[y + j + QK / 2] = (q >>> 4) * d + m;
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float min = ScaleSearch.min(src, x, QK);
        float max = ScaleSearch.max(src, x, QK);
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
