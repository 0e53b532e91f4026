package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MXFP4 weights (gpt-oss's experts; {@code u8 e; u8 qs[16]}: value j in the low nibble of byte j,
 * value j + 16 in its high nibble, each an FP4 E2M1 code) dotted with float activations on the
 * matrix-vector path, read in place, and their row loops (kept here, one per vector width, for the
 * reason {@link MatvecLoops} gives).
 *
 * <p>Per block: the 16 code bytes are split into nibbles and looked up in a 16-entry table of the
 * doubled E2M1 values, dotted with x, and the sum scaled by the block's {@link #halfScale}, an exact
 * power of two. 512-bit vectors take 16 values per vector, looked up among floats ({@link #dotWide});
 * 256-bit ones 8, looked up among bytes (one byte shuffle) and widened to floats. The vectors never cross a call (see DEVELOPERS.md).
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
    /** The float bits of {@link #KVALUES}, for {@link #dotWide}'s lookup. */
    private static final int[] VALUE_BITS = new int[16];
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    /** {@link #halfScale} of every scale byte: one load instead of a compare, a shift and a select per block. */
    private static final float[] HALF_SCALES = new float[256];

    static {
        for (int q = 0; q < 16; q++) {
            VALUE_BITS[q] = Float.floatToRawIntBits(KVALUES[q]);
        }
        for (int e = 0; e < 256; e++) {
            HALF_SCALES[e] = halfScale(e);
        }
    }

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

    /**
     * 512-bit dot of {@code blocks} MXFP4 blocks at {@code w[at]} with {@code x[xo ...]}. The codes are
     * zero-extended to 16 ints, the nibbles split by an and and a shift in int lanes, and each looked up
     * as the bits of a float in a 16-entry table of the doubled values by one {@code vpermd}: the values
     * come out as floats, with no byte shift (x86 has none: C2 makes one of several unpack, shift and
     * pack instructions) and no int-to-float conversion. Two blocks per step into two sums, so consecutive blocks' additions do
     * not wait on each other.
     */
    static float dotWide(MemorySegment w, long at, float[] x, int xo, int blocks) {
        IntVector table = IntVector.fromArray(I512, VALUE_BITS, 0);
        FloatVector acc0 = FloatVector.zero(F512), acc1 = FloatVector.zero(F512);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long o = at + (long) BLOCK_BYTES * b;
            int xi = xo + 32 * b;
            IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 1, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 1 + BLOCK_BYTES, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            FloatVector low0 = q0.and(0x0F).selectFrom(table).reinterpretAsFloats();
            FloatVector high0 = q0.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            FloatVector low1 = q1.and(0x0F).selectFrom(table).reinterpretAsFloats();
            FloatVector high1 = q1.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            FloatVector p0 = high0.fma(FloatVector.fromArray(F512, x, xi + 16), low0.mul(FloatVector.fromArray(F512, x, xi)));
            FloatVector p1 = high1.fma(FloatVector.fromArray(F512, x, xi + 48), low1.mul(FloatVector.fromArray(F512, x, xi + 32)));
            acc0 = p0.fma(FloatVector.broadcast(F512, HALF_SCALES[w.get(ValueLayout.JAVA_BYTE, o) & 0xFF]), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F512, HALF_SCALES[w.get(ValueLayout.JAVA_BYTE, o + BLOCK_BYTES) & 0xFF]), acc1);
        }
        if (b < blocks) {
            long o = at + (long) BLOCK_BYTES * b;
            int xi = xo + 32 * b;
            IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 1, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            FloatVector low0 = q0.and(0x0F).selectFrom(table).reinterpretAsFloats();
            FloatVector high0 = q0.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            FloatVector p0 = high0.fma(FloatVector.fromArray(F512, x, xi + 16), low0.mul(FloatVector.fromArray(F512, x, xi)));
            acc0 = p0.fma(FloatVector.broadcast(F512, HALF_SCALES[w.get(ValueLayout.JAVA_BYTE, o) & 0xFF]), acc0);
        }
        return VectorMath.sum(acc0.add(acc1));
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

    /**
     * Decodes {@code blocks} MXFP4 blocks at {@code w[at]} to floats at {@code dst[o ...]}, the values
     * of {@link WeightDecoder} bit for bit (the same {@code value * halfScale} products, in float), for
     * packing GEMM panels: 512-bit by the lookup of {@link #dotWide} where {@link WideDots#AVAILABLE},
     * else 256-bit by the byte lookup of {@link #dot}.
     */
    static void decode(MemorySegment w, long at, float[] dst, int o, int blocks) {
        if (WideDots.AVAILABLE) {
            decodeWide(w, at, dst, o, blocks);
        } else {
            decodeNarrow(w, at, dst, o, blocks);
        }
    }

    /** {@link #decode} on 512-bit vectors (correct, emulated, on narrower hardware too). */
    static void decodeWide(MemorySegment w, long at, float[] dst, int o, int blocks) {
        IntVector table = IntVector.fromArray(I512, VALUE_BITS, 0);
        for (int b = 0; b < blocks; b++) {
            long bo = at + (long) BLOCK_BYTES * b;
            FloatVector d = FloatVector.broadcast(F512, HALF_SCALES[w.get(ValueLayout.JAVA_BYTE, bo) & 0xFF]);
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B128, w, bo + 1, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            q.and(0x0F).selectFrom(table).reinterpretAsFloats().mul(d).intoArray(dst, o + 32 * b);
            q.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats().mul(d).intoArray(dst, o + 32 * b + 16);
        }
    }

    /** {@link #decode} on 256-bit vectors. */
    static void decodeNarrow(MemorySegment w, long at, float[] dst, int o, int blocks) {
        ByteVector table = ByteVector.fromArray(B128, KVALUES, 0);
        for (int b = 0; b < blocks; b++) {
            long bo = at + (long) BLOCK_BYTES * b;
            FloatVector d = FloatVector.broadcast(F256, HALF_SCALES[w.get(ValueLayout.JAVA_BYTE, bo) & 0xFF]);
            ByteVector q = ByteVector.fromMemorySegment(B128, w, bo + 1, LE);
            ByteVector low = q.and((byte) 0x0F).selectFrom(table);
            ByteVector high = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table);
            int out = o + 32 * b;
            ((FloatVector) low.convertShape(VectorOperators.B2F, F256, 0)).mul(d).intoArray(dst, out);
            ((FloatVector) low.convertShape(VectorOperators.B2F, F256, 1)).mul(d).intoArray(dst, out + 8);
            ((FloatVector) high.convertShape(VectorOperators.B2F, F256, 0)).mul(d).intoArray(dst, out + 16);
            ((FloatVector) high.convertShape(VectorOperators.B2F, F256, 1)).mul(d).intoArray(dst, out + 24);
        }
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
