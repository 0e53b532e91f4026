package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q5_0: blocks of 32 values in 22 bytes: {@code f16 d; u8 qh[4]; u8 qs[16]}. The low four bits are
 * nibbles as in Q4_0; bit {@code j} of the little-endian u32 {@code qh} is the fifth bit of value
 * {@code j}; {@code x = d * (q - 16)}, with {@code d = max / -16}.
 */
final class Q50Codec extends BlockLoopCodec {
    private static final int QK = 32;

    Q50Codec() {
        super(DType.Q5_0);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block);
        int qh = Blocks.u32(src, block + 2);
        for (int j = 0; j < QK / 2; j++) {
            int q = Blocks.u8(src, block + 6 + j);
            int q0 = (q & 0x0F) | ((qh >>> j) & 1) << 4;
            int q1 = (q >>> 4) | ((qh >>> (j + QK / 2)) & 1) << 4;
            dst[y + j] = (q0 - 16) * d;
            dst[y + j + QK / 2] = (q1 - 16) * d;
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float max = ScaleSearch.maxByMagnitude(src, x, QK);
        float d = max / -16;
        float id = d != 0f ? 1.0f / d : 0.0f;
        Blocks.putF16(dst, block, d);
        int qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            int q0 = Math.min(31, (int) (src[x + j] * id + 16.5f));
            int q1 = Math.min(31, (int) (src[x + j + QK / 2] * id + 16.5f));
            Blocks.putU8(dst, block + 6 + j, (q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= (q0 >>> 4 & 1) << j;
            qh |= (q1 >>> 4 & 1) << (j + QK / 2);
        }
        Blocks.putU32(dst, block + 2, qh);
    }
}
