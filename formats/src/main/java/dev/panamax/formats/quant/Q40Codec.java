package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 values in 18 bytes: {@code f16 d; u8 qs[16]}. Byte {@code j} holds value
 * {@code j} in its low nibble and value {@code j + 16} in its high nibble; {@code x = d * (q - 8)}.
 * The quantizer picks {@code d = max / -8}, where max is the value of largest magnitude (sign kept),
 * so that value maps exactly to q = 0.
 */
final class Q40Codec extends BlockLoopCodec {
    private static final int QK = 32;

    Q40Codec() {
        super(DType.Q4_0);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block);
        for (int j = 0; j < QK / 2; j++) {
            int q = Blocks.u8(src, block + 2 + j);
            dst[y + j] = ((q & 0x0F) - 8) * d;
            dst[y + j + QK / 2] = ((q >>> 4) - 8) * d;
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float max = ScaleSearch.maxByMagnitude(src, x, QK);
        float d = max / -8;
        float id = d != 0f ? 1.0f / d : 0.0f;
        Blocks.putF16(dst, block, d);
        for (int j = 0; j < QK / 2; j++) {
            int q0 = Math.min(15, (int) (src[x + j] * id + 8.5f));
            int q1 = Math.min(15, (int) (src[x + j + QK / 2] * id + 8.5f));
            Blocks.putU8(dst, block + 2 + j, q0 | (q1 << 4));
        }
    }
}
