package dev.panamax.formats.quant;

import static dev.panamax.formats.quant.Blocks.nearestInt;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q3_K: super-blocks of 256 values in 110 bytes: {@code u8 hmask[32]; u8 qs[64]; u8 scales[12];
 * f16 d}. Sixteen sub-blocks of 16 values have 6-bit scales stored with offset 32: scale {@code j}
 * has its low four bits in {@code scales[j]} (j < 8, low nibble) or {@code scales[j - 8]} (high
 * nibble), and its top two bits at bit {@code 2 (j / 4)} of {@code scales[8 + j % 4]}.
 * {@code x = d * (sc - 32) * (q - 4)}: the low two bits of {@code q} are packed four to a byte as in
 * Q2_K, the third bit of value {@code i} is bit {@code i / 32} of {@code hmask[i % 32]}.
 *
 * <p>Quantized as ggml's {@code quantize_row_q3_K_ref}: {@code make_q3_quants(16, 4)} per sub-block,
 * scales to 6 bits relative to the largest (which maps to -32), then the quants again.
 */
final class Q3KCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = 110;

    @Override
    public DType type() {
        return DType.Q3_K;
    }

    /** Scale {@code j} (with its offset of 32 removed) of the scale field at {@code sc}. */
    private static int scale(MemorySegment s, long sc, int j) {
        int low = j < 8 ? Blocks.u8(s, sc + j) & 0xF : Blocks.u8(s, sc + j - 8) >>> 4;
        int high = (Blocks.u8(s, sc + 8 + j % 4) >>> (2 * (j / 4))) & 3;
        return (low | high << 4) - 32;
    }

    @Override
    public void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long block = offset + (long) b * BYTES;
            float dAll = Blocks.f16(src, block + 108);
            int y = dstOffset + b * QK;
            int is = 0;
            for (int half = 0; half < 2; half++) {
                long q = block + 32 + 32L * half;
                for (int j = 0; j < 4; j++) {
                    int shift = 2 * j;
                    int m = 1 << (4 * half + j);
                    for (int part = 0; part < 2; part++) {
                        float dl = dAll * scale(src, block + 96, is++);
                        for (int l = 16 * part; l < 16 * part + 16; l++) {
                            int low = (Blocks.u8(src, q + l) >>> shift) & 3;
                            int high = (Blocks.u8(src, block + l) & m) != 0 ? 0 : 4;
                            dst[y++] = dl * (low - high);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        KScratch s = KScratch.get();
        byte[] quants = s.quants;
        byte[] sc = s.packed;
        for (int b = 0; b < n / QK; b++) {
            long block = offset + (long) b * BYTES;
            int x = srcOffset + b * QK;
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < QK / 16; j++) {
                s.scales[j] = ScaleSearch.makeQ3Quants(16, 4, src, x + 16 * j, quants, 16 * j);
                float scale = Math.abs(s.scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = s.scales[j];
                }
            }
            Arrays.fill(sc, (byte) 0);
            if (maxScale != 0f) {
                float iscale = -32.f / maxScale;
                for (int j = 0; j < QK / 16; j++) {
                    int l = ScaleSearch.clamp((byte) nearestInt(iscale * s.scales[j]), -32, 31) + 32;
                    if (j < 8) {
                        sc[j] = (byte) (l & 0xF);
                    } else {
                        sc[j - 8] |= (byte) ((l & 0xF) << 4);
                    }
                    sc[j % 4 + 8] |= (byte) ((l >>> 4) << (2 * (j / 4)));
                }
                Blocks.putF16(dst, block + 108, 1 / iscale);
            } else {
                Blocks.putF16(dst, block + 108, 0.f);
            }
            MemorySegment.copy(sc, 0, dst, ValueLayout.JAVA_BYTE, block + 96, 12);
            float d = Blocks.f16(dst, block + 108);
            for (int j = 0; j < QK / 16; j++) {
                float dj = d * scale(dst, block + 96, j);
                if (dj == 0f) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = ScaleSearch.clamp(nearestInt(src[x + 16 * j + ii] / dj), -4, 3);
                    quants[16 * j + ii] = (byte) (l + 4);
                }
            }
            // third bits: the first 32 values go to bit 0 of hmask[0..31], the next 32 to bit 1, ...
            for (int m = 0; m < 32; m++) {
                int h = 0;
                for (int bit = 0; bit < 8; bit++) {
                    int j = 32 * bit + m;
                    if (quants[j] > 3) {
                        h |= 1 << bit;
                        quants[j] -= 4;
                    }
                }
                Blocks.putU8(dst, block + m, h);
            }
            Q2KCodec.packTwoBits(quants, dst, block + 32);
        }
    }
}
