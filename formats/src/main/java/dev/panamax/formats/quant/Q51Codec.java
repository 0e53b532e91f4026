package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q5_1: blocks of 32 values in 24 bytes: {@code f16 d, m; u8 qh[4]; u8 qs[16]}, bits as in Q5_0;
 * {@code x = d * q + m}, with {@code m = min} and {@code d = (max - min) / 31}.
 */
final class Q51Codec extends BlockLoopCodec {
    private static final int QK = 32;

    Q51Codec() {
        super(DType.Q5_1);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block);
        float m = Blocks.f16(src, block + 2);
        int qh = Blocks.u32(src, block + 4);
        for (int j = 0; j < QK / 2; j++) {
            int q = Blocks.u8(src, block + 8 + j);
            int q0 = (q & 0x0F) | ((qh >>> j) & 1) << 4;
            int q1 = (q >>> 4) | ((qh >>> (j + QK / 2)) & 1) << 4;
            dst[y + j] = q0 * d + m;
            dst[y + j + QK / 2] = q1 * d + m;
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float min = ScaleSearch.min(src, x, QK);
        float max = ScaleSearch.max(src, x, QK);
        float d = (max - min) / 31;
        float id = d != 0f ? 1.0f / d : 0.0f;
        Blocks.putF16(dst, block, d);
        Blocks.putF16(dst, block + 2, min);
        int qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            // ggml truncates to uint8_t without clamping: the largest value lands on 31 exactly
            int q0 = (int) ((src[x + j] - min) * id + 0.5f) & 0xFF;
            int q1 = (int) ((src[x + j + QK / 2] - min) * id + 0.5f) & 0xFF;
            Blocks.putU8(dst, block + 8 + j, (q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= (q0 >>> 4 & 1) << j;
            qh |= (q1 >>> 4 & 1) << (j + QK / 2);
        }
        Blocks.putU32(dst, block + 4, qh);
    }
}
