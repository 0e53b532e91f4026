package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Q5_K: super-blocks of 256 values in 176 bytes: {@code f16 d, dmin; u8 scales[12]; u8 qh[32];
 * u8 qs[128]}. As Q4_K, with a fifth bit per value: bit {@code 2i} of {@code qh[l]} is the high bit
 * of value {@code l} of sub-block {@code 2i}, bit {@code 2i + 1} that of sub-block {@code 2i + 1};
 * {@code x = d * sc * q - dmin * m} with 5-bit {@code q}. Quantized as ggml's
 * {@code quantize_row_q5_K_ref}: {@code make_qkx2_quants(32, 31, rms + |x|, -0.5, 0.1, 15)}.
 */
final class Q5KCodec extends BlockLoopCodec {
    Q5KCodec() {
        super(DType.Q5_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long block, float[] dst, int y) {
        float d = Blocks.f16(src, block);
        float min = Blocks.f16(src, block + 2);
        for (int chunk = 0; chunk < 4; chunk++) {
            int is = 2 * chunk;
            float d1 = d * KScales.scale(src, block + 4, is);
            float m1 = min * KScales.min(src, block + 4, is);
            float d2 = d * KScales.scale(src, block + 4, is + 1);
            float m2 = min * KScales.min(src, block + 4, is + 1);
            int u1 = 1 << (2 * chunk);
            int u2 = 2 << (2 * chunk);
            long ql = block + 48 + 32L * chunk;
            for (int l = 0; l < 32; l++) {
                int v = Blocks.u8(src, ql + l);
                int h = Blocks.u8(src, block + 16 + l);
                dst[y + 64 * chunk + l] = d1 * ((v & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                dst[y + 64 * chunk + 32 + l] = d2 * ((v >>> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
            }
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        KScratch s = KScratch.get();
        Q4KCodec.fitSuperBlock(src, x, dst, block, s, 31, -0.5f, 0.1f, 15);
        byte[] quants = s.quants;
        for (int l = 0; l < 32; l++) {
            int h = 0;
            for (int chunk = 0; chunk < 4; chunk++) {
                int l1 = quants[64 * chunk + l];
                int l2 = quants[64 * chunk + l + 32];
                h |= (l1 >>> 4) << (2 * chunk) | (l2 >>> 4) << (2 * chunk + 1);
                Blocks.putU8(dst, block + 48 + 32L * chunk + l, (l1 & 0xF) | (l2 & 0xF) << 4);
            }
            Blocks.putU8(dst, block + 16 + l, h);
        }
    }
}
