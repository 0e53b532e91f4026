package dev.panamax.formats.quant;

import static dev.panamax.formats.quant.Blocks.nearestInt;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_K: super-blocks of 256 values in 144 bytes: {@code f16 d, dmin; u8 scales[12]; u8 qs[128]}.
 * Eight sub-blocks of 32 values each have a 6-bit scale {@code sc} and 6-bit min {@code m}
 * (packed as {@link KScales}); {@code x = d * sc * q - dmin * m} with 4-bit {@code q}. Each 32-byte
 * run of {@code qs} holds sub-block {@code 2i} in its low nibbles and {@code 2i + 1} in its high
 * nibbles.
 *
 * <p>Quantizing follows ggml's {@code quantize_row_q4_K_ref} (what llama-quantize uses without an
 * importance matrix): per sub-block {@code make_qkx2_quants(32, 15, weights = rms + |x|, -1, 0.1, 20)},
 * then 6-bit scales and mins relative to the largest, then the quants again against the stored scales.
 */
final class Q4KCodec extends BlockLoopCodec {
    private static final int QK = 256;

    Q4KCodec() {
        super(DType.Q4_K);
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
            long q = block + 16 + 32L * chunk;
            for (int l = 0; l < 32; l++) {
                int v = Blocks.u8(src, q + l);
                dst[y + 64 * chunk + l] = d1 * (v & 0xF) - m1;
                dst[y + 64 * chunk + 32 + l] = d2 * (v >>> 4) - m2;
            }
        }
    }

    @Override
    void quantizeBlock(float[] src, int x, MemorySegment dst, long block) {
        KScratch s = KScratch.get();
        fitSuperBlock(src, x, dst, block, s, 15, -1f, 0.1f, 20);
        byte[] quants = s.quants;
        long q = block + 16;
        for (int j = 0; j < QK; j += 64) {
            for (int l = 0; l < 32; l++) {
                Blocks.putU8(dst, q + l, quants[j + l] | quants[j + l + 32] << 4);
            }
            q += 32;
        }
    }

    /**
     * The part Q4_K and Q5_K share: chooses scales, mins and quants ({@code 0..nmax}, left in
     * {@code s.quants}) for the super-block at {@code x}, and writes {@code d}, {@code dmin} and the
     * 12 scale bytes at {@code block}.
     */
    static void fitSuperBlock(float[] src, int x, MemorySegment dst, long block, KScratch s,
            int nmax, float rmin, float rdelta, int nstep) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < QK / 32; j++) {
            int xs = x + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                sumX2 += src[xs + l] * src[xs + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                s.weights[l] = avX + Math.abs(src[xs + l]);
            }
            s.scales[j] = ScaleSearch.makeQkx2Quants(32, nmax, src, xs, s.weights, s.quants, 32 * j,
                    s.mins, j, s.candidate, rmin, rdelta, nstep, false);
            if (s.scales[j] > maxScale) {
                maxScale = s.scales[j];
            }
            if (s.mins[j] > maxMin) {
                maxMin = s.mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < QK / 32; j++) {
            s.scaleQuants[j] = Math.min(63, nearestInt(invScale * s.scales[j]) & 0xFF);
            s.minQuants[j] = Math.min(63, nearestInt(invMin * s.mins[j]) & 0xFF);
        }
        KScales.pack(s.packed, s.scaleQuants, s.minQuants);
        MemorySegment.copy(s.packed, 0, dst, ValueLayout.JAVA_BYTE, block + 4, 12);
        Blocks.putF16(dst, block, maxScale / 63.f);
        Blocks.putF16(dst, block + 2, maxMin / 63.f);
        float d = Blocks.f16(dst, block);
        float dmin = Blocks.f16(dst, block + 2);
        for (int j = 0; j < QK / 32; j++) {
            float dj = d * KScales.scale(dst, block + 4, j);
            if (dj == 0f) {
                continue; // keep the quants of the search: they dequantize to -dmin * m anyway
            }
            float mj = dmin * KScales.min(dst, block + 4, j);
            for (int ii = 0; ii < 32; ii++) {
                int l = nearestInt((src[x + 32 * j + ii] + mj) / dj);
                s.quants[32 * j + ii] = (byte) ScaleSearch.clamp(l, 0, nmax);
            }
        }
    }
}
