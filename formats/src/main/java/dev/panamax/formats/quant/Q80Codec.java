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
        decode(src, block, block + 2, dst, y);
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        encode(src, x, dst, block, block + 2);
    }

    /** Decodes 32 values from the f16 scale at {@code d} and the quants at {@code qs} (also Q8_1's fields). */
    static void decode(MemorySegment src, long d, long qs, float[] dst, int y) {
        float scale = Blocks.f16(src, d);
        for (int j = 0; j < QK; j++) {
            dst[y + j] = Blocks.i8(src, qs + j) * scale;
        }
    }

    /**
     * Encodes {@code src[x..x + 32)} as the f16 scale at {@code d} and the quants at {@code qs} (also
     * Q8_1's fields); returns the scale before its rounding to f16.
     */
    static float encode(float[] src, int x, MemorySegment dst, long d, long qs) {
        float amax = ScaleSearch.absMax(src, x, QK);
        float scale = amax / 127;
        float id = scale != 0f ? 1.0f / scale : 0.0f;
        Blocks.putF16(dst, d, scale);
        for (int j = 0; j < QK; j++) {
            Blocks.putU8(dst, qs + j, Blocks.roundHalfAway(src[x + j] * id));
        }
        return scale;
    }
}
