package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The grid a block type can represent in one sub-block: {@code x = d * q - m} for integer
 * {@code q in [qlo, qhi]}, with {@code d} and {@code m} read from an encoded block (written here
 * from ggml-common.h's layouts, independently of the codecs).
 */
record SubBlockGrid(float d, float m, int qlo, int qhi) {
    private static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Values per sub-block (one scale) of {@code type}. */
    static int subBlockSize(DType type) {
        return switch (type) {
            case Q2_K, Q3_K, Q6_K -> 16;
            case Q4_K, Q5_K -> 32;
            default -> type.blockSize();
        };
    }

    /** The grid of sub-block {@code j} of the block {@code b}. */
    static SubBlockGrid of(DType type, MemorySegment b, int j) {
        return switch (type) {
            case Q4_0 -> new SubBlockGrid(f16(b, 0), 0, -8, 7);
            case Q4_1 -> new SubBlockGrid(f16(b, 0), -f16(b, 2), 0, 15);
            case Q5_0 -> new SubBlockGrid(f16(b, 0), 0, -16, 15);
            case Q5_1 -> new SubBlockGrid(f16(b, 0), -f16(b, 2), 0, 31);
            case Q8_0, Q8_1 -> new SubBlockGrid(f16(b, 0), 0, -127, 127);
            case Q8_K -> new SubBlockGrid(b.get(LE_F32, 0), 0, -128, 127);
            case Q2_K -> new SubBlockGrid(f16(b, 80) * (u8(b, j) & 0xF), f16(b, 82) * (u8(b, j) >> 4), 0, 3);
            case Q3_K -> {
                int low4 = j < 8 ? u8(b, 96 + j) & 0xF : u8(b, 96 + j - 8) >> 4;
                int high2 = u8(b, 104 + j % 4) >> (2 * (j / 4)) & 3;
                yield new SubBlockGrid(f16(b, 108) * ((low4 | high2 << 4) - 32), 0, -4, 3);
            }
            case Q4_K, Q5_K -> {
                int sc = j < 4 ? u8(b, 4 + j) & 63 : (u8(b, 8 + j) & 0xF) | (u8(b, j) >> 6) << 4;
                int mn = j < 4 ? u8(b, 8 + j) & 63 : (u8(b, 8 + j) >> 4) | (u8(b, 4 + j) >> 6) << 4;
                yield new SubBlockGrid(f16(b, 0) * sc, f16(b, 2) * mn, 0, type == DType.Q4_K ? 15 : 31);
            }
            case Q6_K -> new SubBlockGrid(f16(b, 208) * b.get(ValueLayout.JAVA_BYTE, 192 + j), 0, -32, 31);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /**
     * Asserts that {@code q} ({@code n} values of {@code type}) decodes every {@code x[i]} to the
     * nearest point of its sub-block's grid.
     *
     * <p>The bound: every quantizer ends by rounding each value to the nearest point of its
     * sub-block's grid {@code d * q - m}, clamping {@code q} to the type's range. So a value whose
     * scaled position {@code t = (x + m) / d} lies inside the range (widened by half a step) must come
     * back within {@code |d| / 2}, and one outside must come back as the end point. The K-quants round
     * against the stored (f16-rounded) scales, so only float rounding is added (a relative 2^-20 of
     * the magnitudes involved). The legacy types (Q4_0 ... Q8_1) round with the f32 scale before it is
     * stored as f16: the stored {@code d} differs by at most 2^-11 relative, which moves position
     * {@code t} by at most {@code |t| 2^-11}, and Q4_1/Q5_1 also store their f32 min as f16, which moves
     * it by up to {@code |m / d| 2^-11}; we allow {@code (|t| + 1 + |m / d|) 2^-10}. Sub-blocks whose stored
     * scale is 0 keep ggml's search quants and are skipped.
     */
    static void assertNearest(DType type, float[] x, MemorySegment q, int n) {
        float[] y = new float[n];
        Quants.dequantizeRow(type, q, 0, y, 0, n);
        double slackPerT = type.blockSize() == 32 ? 0x1p-10 : 0x1p-20;
        int sub = subBlockSize(type);
        for (int start = 0; start < n; start += sub) {
            int block = start / type.blockSize();
            MemorySegment b = q.asSlice((long) block * type.bytesPerBlock(), type.bytesPerBlock());
            SubBlockGrid g = of(type, b, start % type.blockSize() / sub);
            if (g.d() == 0f) {
                continue;
            }
            for (int i = start; i < start + sub; i++) {
                g.check(type, i, x[i], y[i], slackPerT);
            }
        }
    }

    private void check(DType type, int at, float x, float y, double slackPerT) {
        double t = ((double) x + m) / d;
        // the f16 rounding of d moves t by up to |t| 2^-11, that of the min (Q4_1, Q5_1) by up to |m / d| 2^-11
        double slack = slackPerT * (Math.abs(t) + 1 + Math.abs((double) m / d));
        double eps = 0x1p-20 * (Math.abs(x) + Math.abs(m) + Math.abs(d) * Math.max(-qlo, qhi));
        if (t < qlo - 0.5 - slack || t > qhi + 0.5 + slack) {
            double end = (double) d * (t < qlo ? qlo : qhi) - m;
            if (Math.abs(end - y) > eps) {
                org.junit.jupiter.api.Assertions.fail(type + " value " + at + " = " + x + " lies outside the grid (t = " + t
                        + ") and must clamp to its end point " + end + ", came back as " + y);
            }
        } else {
            double bound = Math.abs(d) * (0.5 + slack) + eps;
            if (!(Math.abs((double) x - y) <= bound)) {
                org.junit.jupiter.api.Assertions.fail(type + " value " + at + " = " + x + " came back as " + y + ", error "
                        + Math.abs(x - y) + " > bound " + bound + " (d = " + d + ", m = " + m + ")");
            }
        }
    }

    private static int u8(MemorySegment b, int offset) {
        return b.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    private static float f16(MemorySegment b, int offset) {
        return Float.float16ToFloat(b.get(LE_I16, offset));
    }
}
