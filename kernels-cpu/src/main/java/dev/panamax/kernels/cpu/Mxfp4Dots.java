package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MXFP4 weights (gpt-oss's experts; {@code u8 e; u8 qs[16]}: value j in the low nibble of byte j,
 * value j + 16 in its high nibble, each an FP4 E2M1 code) dotted with float activations on the
 * matrix-vector path, read in place, and their row loops (kept here, one per vector width, for the
 * reason {@link MatvecLoops} gives).
 *
 * <p>Per block: the 16 code bytes are split into nibbles and looked up in a 16-entry byte table of
 * the doubled E2M1 values (one byte shuffle), widened to floats, dotted with x, and the sum scaled
 * by the block's {@link #halfScale}, an exact power of two. 512-bit vectors take 16 values per
 * vector, 256-bit ones 8. The vectors never cross a call (see DEVELOPERS.md).
 */
final class Mxfp4Dots {
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    /** Bytes per block: the scale, then 16 bytes of codes. */
    static final int BLOCK_BYTES = 17;
    /** The E2M1 values times two, by 4-bit code (ggml's {@code kvalues_mxfp4}; code 8 is -0). */
    private static final byte[] KVALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    private Mxfp4Dots() {
    }

    /**
     * Half the E8M0 scale {@code e}, {@code 2^(e - 128)}, which the doubled table values need
     * (ggml's {@code GGML_E8M0_TO_FP32_HALF}; e = 0 and 1 give the subnormals 2^-128 and 2^-127).
     */
    static float halfScale(int e) {
        return Float.intBitsToFloat(e < 2 ? 0x00200000 << e : (e - 1) << 23);
    }

    /** The doubled E2M1 value of code {@code q} (0..15). */
    static int value(int q) {
        return KVALUES[q];
    }

    /** 512-bit dot of {@code blocks} MXFP4 blocks at {@code w[at]} with {@code x[xo ...]}. */
    static float dotWide(MemorySegment w, long at, float[] x, int xo, int blocks) {
        ByteVector table = ByteVector.fromArray(B128, KVALUES, 0);
        FloatVector acc = FloatVector.zero(F512);
        for (int b = 0; b < blocks; b++) {
            long o = at + (long) BLOCK_BYTES * b;
            int xi = xo + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, o + 1, LE);
            FloatVector low = (FloatVector) q.and((byte) 0x0F).selectFrom(table).convertShape(VectorOperators.B2F, F512, 0);
            FloatVector high = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).selectFrom(table)
                    .convertShape(VectorOperators.B2F, F512, 0);
            FloatVector p = high.fma(FloatVector.fromArray(F512, x, xi + 16), low.mul(FloatVector.fromArray(F512, x, xi)));
            acc = p.fma(FloatVector.broadcast(F512, halfScale(w.get(ValueLayout.JAVA_BYTE, o) & 0xFF)), acc);
        }
        return VectorMath.sum(acc);
    }

    /** 256-bit dot, as {@link #dotWide}: each nibble half of a block is two vectors of 8 floats. */
    static float dot(MemorySegment w, long at, float[] x, int xo, int blocks) {
        ByteVector table = ByteVector.fromArray(B128, KVALUES, 0);
        FloatVector acc = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            long o = at + (long) BLOCK_BYTES * b;
            int xi = xo + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, o + 1, LE);
            ByteVector low = q.and((byte) 0x0F).selectFrom(table);
            ByteVector high = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table);
            FloatVector p = ((FloatVector) low.convertShape(VectorOperators.B2F, F256, 0)).mul(FloatVector.fromArray(F256, x, xi));
            p = ((FloatVector) low.convertShape(VectorOperators.B2F, F256, 1)).fma(FloatVector.fromArray(F256, x, xi + 8), p);
            p = ((FloatVector) high.convertShape(VectorOperators.B2F, F256, 0)).fma(FloatVector.fromArray(F256, x, xi + 16), p);
            p = ((FloatVector) high.convertShape(VectorOperators.B2F, F256, 1)).fma(FloatVector.fromArray(F256, x, xi + 24), p);
            acc = p.fma(FloatVector.broadcast(F256, halfScale(w.get(ValueLayout.JAVA_BYTE, o) & 0xFF)), acc);
        }
        return VectorMath.sum(acc);
    }

    /** Weight rows {@code [start, end)} with every row of x, by {@link #dotWide}. */
    static void rowsWide(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, dotWide(w, at, x, i * k, k / 32));
            }
        }
    }

    /** Weight rows {@code [start, end)} with every row of x, by {@link #dot}. */
    static void rows(MatmulShape s, MemorySegment w, float[] x, MemorySegment out, int start, int end) {
        int m = s.m(), k = s.k();
        for (int n = start; n < end; n++) {
            long at = s.wRow(n);
            for (int i = 0; i < m; i++) {
                out.set(F32, s.outRow(i) + 4L * n, dot(w, at, x, i * k, k / 32));
            }
        }
    }
}
