package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q8_1: blocks of 32 values in 36 bytes: {@code f16 d, s; i8 qs[32]}; {@code x = d * q} as Q8_0,
 * plus {@code s = d * sum(q)}, which dot products with Q4_1/Q5_1 weights need for their offset.
 */
final class Q81Codec extends BlockLoopCodec {
    private static final int QK = 32;

    Q81Codec() {
        super(DType.Q8_1);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block);
        for (int j = 0; j < QK; j++) {
            dst[y + j] = Blocks.i8(src, block + 4 + j) * d;
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float amax = ScaleSearch.absMax(src, x, QK);
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0.0f;
        Blocks.putF16(dst, block, d);
        int sum = 0;
        for (int j = 0; j < QK; j++) {
            int q = (byte) Blocks.roundHalfAway(src[x + j] * id);
            Blocks.putU8(dst, block + 4 + j, q);
            sum += q;
        }
        Blocks.putF16(dst, block + 2, sum * d);
    }
}
