package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q8_0: blocks of 32 values in 34 bytes: {@code f16 d; i8 qs[32]}; {@code x = d * q}, with
 * {@code d = amax / 127} and {@code q = roundf(x / d)} (halves away from zero).
 */
final class Q80Codec extends BlockLoopCodec {
    private static final int QK = 32;

    Q80Codec() {
        super(DType.Q8_0);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block);
        for (int j = 0; j < QK; j++) {
            dst[y + j] = Blocks.i8(src, block + 2 + j) * d;
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float amax = ScaleSearch.absMax(src, x, QK);
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0.0f;
        Blocks.putF16(dst, block, d);
        for (int j = 0; j < QK; j++) {
            Blocks.putU8(dst, block + 2 + j, Blocks.roundHalfAway(src[x + j] * id));
        }
    }
}
