package dev.panamax.formats.quant;

import static dev.panamax.formats.quant.Blocks.nearestInt;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q2_K: super-blocks of 256 values in 84 bytes: {@code u8 scales[16]; u8 qs[64]; f16 d, dmin}.
 * Sixteen sub-blocks of 16 values each have a 4-bit scale (low nibble) and 4-bit min (high nibble);
 * {@code x = d * sc * q - dmin * m} with 2-bit {@code q}. Each half (128 values) uses 32 bytes of
 * {@code qs}: value {@code l + 32k} sits at bits {@code 2k..2k+1} of {@code qs[l]}.
 *
 * <p>Quantized as ggml's {@code quantize_row_q2_K_ref}: {@code make_qkx2_quants(16, 3, |x|, -0.5,
 * 0.1, 15, mad)} per sub-block, scales and mins to 4 bits relative to the largest, then the quants
 * again.
 */
final class Q2KCodec extends BlockLoopCodec {
    private static final int QK = 256;

    Q2KCodec() {
        super(DType.Q2_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block + 80);
        float min = Blocks.f16(src, block + 82);
        int is = 0;
        for (int half = 0; half < 2; half++) {
            long q = block + 16 + 32L * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; part++) {
                    int sc = Blocks.u8(src, block + is++);
                    float dl = d * (sc & 0xF);
                    float ml = min * (sc >>> 4);
                    for (int l = 16 * part; l < 16 * part + 16; l++) {
                        dst[y++] = dl * ((Blocks.u8(src, q + l) >>> shift) & 3) - ml;
                    }
                }
            }
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        KScratch s = KScratch.get();
        byte[] quants = s.quants;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < QK / 16; j++) {
            for (int l = 0; l < 16; l++) {
                s.weights[l] = Math.abs(src[x + 16 * j + l]);
            }
            s.scales[j] = ScaleSearch.makeQkx2Quants(16, 3, src, x + 16 * j, s.weights, quants, 16 * j,
                    s.mins, j, s.candidate, -0.5f, 0.1f, 15, true);
            if (s.scales[j] > maxScale) {
                maxScale = s.scales[j];
            }
            if (s.mins[j] > maxMin) {
                maxMin = s.mins[j];
            }
        }
        if (maxScale > 0) {
            float iscale = 15.f / maxScale;
            for (int j = 0; j < QK / 16; j++) {
                Blocks.putU8(dst, block + j, nearestInt(iscale * s.scales[j]));
            }
            Blocks.putF16(dst, block + 80, maxScale / 15.f);
        } else {
            dst.asSlice(block, 16).fill((byte) 0);
            Blocks.putF16(dst, block + 80, 0.f);
        }
        if (maxMin > 0) {
            float iscale = 15.f / maxMin;
            for (int j = 0; j < QK / 16; j++) {
                int l = nearestInt(iscale * s.mins[j]);
                Blocks.putU8(dst, block + j, Blocks.u8(dst, block + j) | l << 4);
            }
            Blocks.putF16(dst, block + 82, maxMin / 15.f);
        } else {
            Blocks.putF16(dst, block + 82, 0.f);
        }
        float d = Blocks.f16(dst, block + 80);
        float dmin = Blocks.f16(dst, block + 82);
        for (int j = 0; j < QK / 16; j++) {
            int sc = Blocks.u8(dst, block + j);
            float dj = d * (sc & 0xF);
            if (dj == 0f) {
                continue;
            }
            float mj = dmin * (sc >>> 4);
            for (int ii = 0; ii < 16; ii++) {
                int l = nearestInt((src[x + 16 * j + ii] + mj) / dj);
                quants[16 * j + ii] = (byte) ScaleSearch.clamp(l, 0, 3);
            }
        }
        packTwoBits(quants, dst, block + 16);
    }

    /** Packs 256 two-bit quants: value {@code 128h + l + 32k} to bits 2k of byte {@code 32h + l}. */
    static void packTwoBits(byte[] quants, MemorySegment dst, long qs) {
        for (int j = 0; j < 256; j += 128) {
            for (int l = 0; l < 32; l++) {
                int v = quants[j + l] | quants[j + l + 32] << 2 | quants[j + l + 64] << 4 | quants[j + l + 96] << 6;
                Blocks.putU8(dst, qs + j / 4 + l, v);
            }
        }
    }
}
