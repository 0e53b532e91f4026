package dev.panamax.formats.quant;

import static dev.panamax.formats.quant.Blocks.nearestInt;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q8_K: super-blocks of 256 values in 292 bytes: {@code f32 d; i8 qs[256]; i16 bsums[16]};
 * {@code x = d * q}, {@code bsums[j]} = sum of quants {@code 16j..16j+15} (used by K-quant dot
 * products). ggml quantizes activations to it with {@code d = max / -127}, max being the value of
 * largest magnitude.
 */
final class Q8KCodec extends BlockLoopCodec {
    private static final int QK = 256;
    private static final int BYTES = 292;

    Q8KCodec() {
        super(DType.Q8_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f32(src, block);
        for (int j = 0; j < QK; j++) {
            dst[y + j] = d * Blocks.i8(src, block + 4 + j);
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        float max = ScaleSearch.maxByMagnitude(src, x, QK);
        if (max == 0f) {
            // ggml leaves bsums untouched here; we write zeros so the block is fully defined
            dst.asSlice(block, BYTES).fill((byte) 0);
            return;
        }
        float iscale = -127.f / max;
        for (int j = 0; j < QK / 16; j++) {
            int sum = 0;
            for (int ii = 0; ii < 16; ii++) {
                int q = Math.min(127, nearestInt(iscale * src[x + 16 * j + ii]));
                Blocks.putU8(dst, block + 4 + 16 * j + ii, q);
                sum += q;
            }
            Blocks.putI16(dst, block + 260 + 2L * j, sum);
        }
        Blocks.putF32(dst, block, 1 / iscale);
    }
}
