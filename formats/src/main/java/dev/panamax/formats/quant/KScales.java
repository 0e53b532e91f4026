package dev.panamax.formats.quant;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte field of Q4_K and Q5_K that packs eight 6-bit scales and eight 6-bit mins
 * (ggml's {@code get_scale_min_k4}). For sub-block {@code j < 4}: scale = {@code s[j] & 63},
 * min = {@code s[j+4] & 63}. For {@code j >= 4}: the low four bits sit in the nibbles of
 * {@code s[j+4]} (scale low, min high) and the top two bits in bits 6..7 of {@code s[j-4]} (scale)
 * and {@code s[j]} (min).
 */
final class KScales {
    private KScales() {
    }

    /** The 6-bit scale of sub-block {@code j} (0..7) of the field at {@code offset}. */
    static int scale(MemorySegment s, long offset, int j) {
        if (j < 4) {
            return Blocks.u8(s, offset + j) & 63;
        }
        return (Blocks.u8(s, offset + j + 4) & 0xF) | ((Blocks.u8(s, offset + j - 4) >>> 6) << 4);
    }

    /** The 6-bit min of sub-block {@code j} (0..7) of the field at {@code offset}. */
    static int min(MemorySegment s, long offset, int j) {
        if (j < 4) {
            return Blocks.u8(s, offset + j + 4) & 63;
        }
        return (Blocks.u8(s, offset + j + 4) >>> 4) | ((Blocks.u8(s, offset + j) >>> 6) << 4);
    }

    /** Packs the eight 6-bit scales {@code ls} and mins {@code lm} into {@code q[0..12)}. */
    static void pack(byte[] q, int[] ls, int[] lm) {
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                q[j] = (byte) ls[j];
                q[j + 4] = (byte) lm[j];
            } else {
                q[j + 4] = (byte) ((ls[j] & 0xF) | (lm[j] & 0xF) << 4);
                q[j - 4] |= (byte) ((ls[j] >>> 4) << 6);
                q[j] |= (byte) ((lm[j] >>> 4) << 6);
            }
        }
    }
}
