package dev.panamax.formats.quant;

import static dev.panamax.formats.quant.Blocks.nearestInt;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 values in 210 bytes: {@code u8 ql[128]; u8 qh[64]; i8 scales[16];
 * f16 d}. Sixteen sub-blocks of 16 values have signed 8-bit scales; {@code x = d * sc * (q - 32)}
 * with 6-bit {@code q}. Each half (128 values) uses 64 bytes of {@code ql} and 32 of {@code qh}:
 * value {@code l + 32k} ({@code l < 32}, {@code k < 4}) has its low nibble in
 * {@code ql[l + 32 (k & 1)]} (low nibble for k < 2, high for k >= 2) and its top two bits at bit
 * {@code 2k} of {@code qh[l]}.
 *
 * <p>Quantized as ggml's {@code quantize_row_q6_K_ref}: {@code make_qx_quants(16, 32, rmse_type 1)}
 * per sub-block, scales to 8 bits relative to the largest (which maps to -128), then the quants
 * again against the stored scales.
 */
final class Q6KCodec extends BlockLoopCodec {
    private static final int QK = 256;
    private static final int BYTES = 210;

    Q6KCodec() {
        super(DType.Q6_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block + 208);
        for (int half = 0; half < 2; half++) {
            long ql = block + 64L * half;
            long qh = block + 128 + 32L * half;
            long sc = block + 192 + 8L * half;
            int yh = y + 128 * half;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo = Blocks.u8(src, ql + l);
                int hi = Blocks.u8(src, ql + l + 32);
                int h = Blocks.u8(src, qh + l);
                int q1 = ((lo & 0xF) | (h & 3) << 4) - 32;
                int q2 = ((hi & 0xF) | (h >>> 2 & 3) << 4) - 32;
                int q3 = ((lo >>> 4) | (h >>> 4 & 3) << 4) - 32;
                int q4 = ((hi >>> 4) | (h >>> 6 & 3) << 4) - 32;
                dst[yh + l] = d * Blocks.i8(src, sc + is) * q1;
                dst[yh + l + 32] = d * Blocks.i8(src, sc + is + 2) * q2;
                dst[yh + l + 64] = d * Blocks.i8(src, sc + is + 4) * q3;
                dst[yh + l + 96] = d * Blocks.i8(src, sc + is + 6) * q4;
            }
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        KScratch s = KScratch.get();
        byte[] quants = s.quants;
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < QK / 16; ib++) {
            float scale = ScaleSearch.makeQxQuants(16, 32, src, x + 16 * ib, quants, 16 * ib);
            s.scales[ib] = scale;
            if (Math.abs(scale) > maxAbsScale) {
                maxAbsScale = Math.abs(scale);
                maxScale = scale;
            }
        }
        if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) {
            dst.asSlice(block, BYTES).fill((byte) 0);
            return;
        }
        float iscale = -128.f / maxScale;
        Blocks.putF16(dst, block + 208, 1 / iscale);
        for (int ib = 0; ib < QK / 16; ib++) {
            Blocks.putU8(dst, block + 192 + ib, Math.min(127, nearestInt(iscale * s.scales[ib])));
        }
        float d = Blocks.f16(dst, block + 208);
        for (int j = 0; j < QK / 16; j++) {
            float dj = d * Blocks.i8(dst, block + 192 + j);
            if (dj == 0f) {
                continue;
            }
            for (int ii = 0; ii < 16; ii++) {
                int l = ScaleSearch.clamp(nearestInt(src[x + 16 * j + ii] / dj), -32, 31);
                quants[16 * j + ii] = (byte) (l + 32);
            }
        }
        for (int half = 0; half < 2; half++) {
            int j = 128 * half;
            long ql = block + 64L * half;
            long qh = block + 128 + 32L * half;
            for (int l = 0; l < 32; l++) {
                int q1 = quants[j + l];
                int q2 = quants[j + l + 32];
                int q3 = quants[j + l + 64];
                int q4 = quants[j + l + 96];
                Blocks.putU8(dst, ql + l, (q1 & 0xF) | (q3 & 0xF) << 4);
                Blocks.putU8(dst, ql + l + 32, (q2 & 0xF) | (q4 & 0xF) << 4);
                Blocks.putU8(dst, qh + l, (q1 >>> 4) | (q2 >>> 4) << 2 | (q3 >>> 4) << 4 | (q4 >>> 4) << 6);
            }
        }
    }
}
