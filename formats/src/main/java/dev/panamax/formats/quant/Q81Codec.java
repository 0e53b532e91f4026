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
        Q80Codec.decode(src, block, block + 4, dst, y);
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float d = Q80Codec.encode(src, x, dst, block, block + 4);
        int sum = 0;
        for (int j = 0; j < QK; j++) {
            sum += Blocks.i8(dst, block + 4 + j);
        }
        Blocks.putF16(dst, block + 2, sum * d);
    }
}
