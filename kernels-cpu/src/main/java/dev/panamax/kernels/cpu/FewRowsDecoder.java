package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decodes one block of a weight row to floats for {@link FewRowsLoops}, eight values per step: bytes
 * sign-extended to 32-bit lanes, bits cut there with native AVX2 shifts and masks (AVX2 has no byte
 * shift), converted and scaled. Each value gets the same float operations, in the same order, as in
 * {@link WeightDecoder}, so the results are bit-identical to it ({@code FewRowsMatmulTest} checks).
 * The block decoders come in two widths: {@code *Wide}, sixteen values per step in 512-bit vectors (bytes
 * zero- or sign-extended straight to 16 int lanes), where {@link WideDots#AVAILABLE}; {@code *Narrow}, eight per step
 * in 256-bit vectors, elsewhere. On the Zen 4 (AVX-512) the narrow Q4_K decoder cost about 4 ms per 2048 x 5632
 * weight (CPU time), twice the whole one-row dot: the decode, not the FMAs, bounded a batched step. The K-quant
 * decoders write the Vector API calls out (the JDK's methods are force-inlined, helpers of ours may not be).
 */
final class FewRowsDecoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    /** Whether the block decoders take their 512-bit forms. */
    static final boolean WIDE = WideDots.AVAILABLE;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private FewRowsDecoder() {
    }

    /** Eight bytes at {@code at}, sign-extended to ints. */
    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B64, w, at, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** BF16 values {@code [0, n)} at {@code at}: the high half of a float each. */
    static void bf16(MemorySegment w, long at, float[] dst, int n) {
        int i = 0;
        for (; i <= n - 8; i += 8) {
            IntVector bits = (IntVector) ShortVector.fromMemorySegment(S128, w, at + 2L * i, LE).convertShape(VectorOperators.S2I, I, 0);
            bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = Float.intBitsToFloat(w.get(I16, at + 2L * i) << 16);
        }
    }

    /** F16 values {@code [0, n)} at {@code at} (scalar: {@code float16ToFloat} is an intrinsic, one instruction). */
    static void f16(MemorySegment w, long at, float[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = Float.float16ToFloat(w.get(I16, at + 2L * i));
        }
    }

    /** The Q8_0 block at {@code o} (f16 d; i8 qs[32]) into {@code dst[out, out + 32)}: d q. */
    static void q8_0Narrow(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o));
        for (int i = 0; i < 32; i += 8) {
            FloatVector.broadcast(F, d).mul(toFloat(bytes(w, o + 2 + i))).intoArray(dst, out + i);
        }
    }

    /** The Q4_0 block at {@code o} (f16 d; u8 qs[16], low nibbles are values 0..15): d (q - 8). */
    static void q4_0Narrow(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o));
        for (int i = 0; i < 16; i += 8) {
            IntVector q = bytes(w, o + 2 + i);
            FloatVector.broadcast(F, d).mul(toFloat(q.and(0x0F).sub(8))).intoArray(dst, out + i);
            FloatVector.broadcast(F, d).mul(toFloat(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8))).intoArray(dst, out + 16 + i);
        }
    }

    /**
     * The Q4_K block at {@code o} (f16 d, dmin; 12 bytes of 6-bit scales and mins; u8 qs[128]), 256 values:
     * sub-blocks 2p and 2p + 1 are the low and high nibbles of {@code qs[32p, 32p + 32)}; d sc q - dmin m.
     */
    static void q4_KNarrow(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o)), dmin = Float.float16ToFloat(w.get(I16, o + 2));
        int high = w.get(I32, o + 12);
        long scales = VectorDots.kPacked(w.get(I32, o + 4), high), mins = VectorDots.kPacked(w.get(I32, o + 8), high >>> 4);
        for (int p = 0; p < 4; p++) {
            float dl0 = d * (int) ((scales >>> (16 * p)) & 63), ml0 = dmin * (int) ((mins >>> (16 * p)) & 63);
            float dl1 = d * (int) ((scales >>> (16 * p + 8)) & 63), ml1 = dmin * (int) ((mins >>> (16 * p + 8)) & 63);
            for (int i = 0; i < 32; i += 8) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B64, w, o + 16 + 32 * p + i, LE).convertShape(VectorOperators.B2I, I, 0);
                int at = out + 64 * p + i;
                ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(dl0).sub(ml0).intoArray(dst, at);
                ((FloatVector) q.lanewise(VectorOperators.ASHR, 4).and(0x0F).convert(VectorOperators.I2F, 0)).mul(dl1).sub(ml1).intoArray(dst, at + 32);
            }
        }
    }

    /** The Q5_K block at {@code o}: as Q4_K plus u8 qh[32] at 16, the 5th bit of value {@code 32 j + l} bit j of qh[l]. */
    static void q5_KNarrow(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o)), dmin = Float.float16ToFloat(w.get(I16, o + 2));
        int high = w.get(I32, o + 12);
        long scales = VectorDots.kPacked(w.get(I32, o + 4), high), mins = VectorDots.kPacked(w.get(I32, o + 8), high >>> 4);
        for (int p = 0; p < 4; p++) {
            float dl0 = d * (int) ((scales >>> (16 * p)) & 63), ml0 = dmin * (int) ((mins >>> (16 * p)) & 63);
            float dl1 = d * (int) ((scales >>> (16 * p + 8)) & 63), ml1 = dmin * (int) ((mins >>> (16 * p + 8)) & 63);
            for (int i = 0; i < 32; i += 8) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B64, w, o + 48 + 32 * p + i, LE).convertShape(VectorOperators.B2I, I, 0);
                IntVector h = (IntVector) ByteVector.fromMemorySegment(B64, w, o + 16 + i, LE).convertShape(VectorOperators.B2I, I, 0);
                int at = out + 64 * p + i;
                IntVector q0 = q.and(0x0F).or(h.lanewise(VectorOperators.ASHR, 2 * p).and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector q1 = q.lanewise(VectorOperators.ASHR, 4).and(0x0F)
                        .or(h.lanewise(VectorOperators.ASHR, 2 * p + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                ((FloatVector) q0.convert(VectorOperators.I2F, 0)).mul(dl0).sub(ml0).intoArray(dst, at);
                ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(dl1).sub(ml1).intoArray(dst, at + 32);
            }
        }
    }

    /**
     * The Q6_K block at {@code o} (u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d), 256 values: value
     * {@code 128h + 32j + l} has its low 4 bits from {@code ql[64h + 32(j&1) + l]} (low nibble for j < 2),
     * its high 2 from bits 2j of {@code qh[32h + l]}; d sc (q - 32), sc of group {@code 8h + 2j + l/16}.
     * Eight values per step and the Vector API calls written out: making four at once, through helpers,
     * passed C2's node budget (the helpers then boxed their vectors).
     */
    static void q6_KNarrow(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o + 208));
        for (int t = 0; t < 32; t++) { // t = 16h + 4j + l/8
            int h = t >>> 4, j = (t >>> 2) & 3, l = 8 * (t & 3);
            IntVector ql = (IntVector) ByteVector.fromMemorySegment(B64, w, o + 64 * h + 32 * (j & 1) + l, LE)
                    .convertShape(VectorOperators.B2I, I, 0);
            IntVector qh = (IntVector) ByteVector.fromMemorySegment(B64, w, o + 128 + 32 * h + l, LE)
                    .convertShape(VectorOperators.B2I, I, 0);
            IntVector q = ql.lanewise(VectorOperators.ASHR, 4 * (j >>> 1)).and(0x0F)
                    .or(qh.lanewise(VectorOperators.ASHR, 2 * j).and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
            float dl = d * w.get(ValueLayout.JAVA_BYTE, o + 192 + 8 * h + 2 * j + (l >>> 4));
            ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(dl).intoArray(dst, out + 128 * h + 32 * j + l);
        }
    }

    /** The Q8_0 block at {@code o} into {@code dst[out, out + 32)}: {@link #q8_0Wide} or {@link #q8_0Narrow}. */
    static void q8_0(MemorySegment w, long o, float[] dst, int out) {
        if (WIDE) {
            q8_0Wide(w, o, dst, out);
        } else {
            q8_0Narrow(w, o, dst, out);
        }
    }

    /** The Q4_0 block at {@code o} into {@code dst[out, out + 32)}: {@link #q4_0Wide} or {@link #q4_0Narrow}. */
    static void q4_0(MemorySegment w, long o, float[] dst, int out) {
        if (WIDE) {
            q4_0Wide(w, o, dst, out);
        } else {
            q4_0Narrow(w, o, dst, out);
        }
    }

    /** The Q4_K block at {@code o} into {@code dst[out, out + 256)}: {@link #q4_KWide} or {@link #q4_KNarrow}. */
    static void q4_K(MemorySegment w, long o, float[] dst, int out) {
        if (WIDE) {
            q4_KWide(w, o, dst, out);
        } else {
            q4_KNarrow(w, o, dst, out);
        }
    }

    /** The Q5_K block at {@code o} into {@code dst[out, out + 256)}: {@link #q5_KWide} or {@link #q5_KNarrow}. */
    static void q5_K(MemorySegment w, long o, float[] dst, int out) {
        if (WIDE) {
            q5_KWide(w, o, dst, out);
        } else {
            q5_KNarrow(w, o, dst, out);
        }
    }

    /** The Q6_K block at {@code o} into {@code dst[out, out + 256)}: {@link #q6_KWide} or {@link #q6_KNarrow}. */
    static void q6_K(MemorySegment w, long o, float[] dst, int out) {
        if (WIDE) {
            q6_KWide(w, o, dst, out);
        } else {
            q6_KNarrow(w, o, dst, out);
        }
    }

    /** As {@link #q8_0Narrow}, sixteen values per step. */
    static void q8_0Wide(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o));
        for (int i = 0; i < 32; i += 16) {
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 2 + i, LE).convertShape(VectorOperators.B2I, I512, 0);
            FloatVector.broadcast(F512, d).mul((FloatVector) q.convert(VectorOperators.I2F, 0)).intoArray(dst, out + i);
        }
    }

    /** As {@link #q4_0Narrow}, sixteen values per step: the low nibbles of the 16 bytes, then the high ones. */
    static void q4_0Wide(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o));
        IntVector q = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
        FloatVector.broadcast(F512, d).mul((FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).intoArray(dst, out);
        FloatVector.broadcast(F512, d).mul((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0))
                .intoArray(dst, out + 16);
    }

    /** As {@link #q4_KNarrow}, sixteen values per step. */
    static void q4_KWide(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o)), dmin = Float.float16ToFloat(w.get(I16, o + 2));
        int high = w.get(I32, o + 12);
        long scales = VectorDots.kPacked(w.get(I32, o + 4), high), mins = VectorDots.kPacked(w.get(I32, o + 8), high >>> 4);
        for (int p = 0; p < 4; p++) {
            float dl0 = d * (int) ((scales >>> (16 * p)) & 63), ml0 = dmin * (int) ((mins >>> (16 * p)) & 63);
            float dl1 = d * (int) ((scales >>> (16 * p + 8)) & 63), ml1 = dmin * (int) ((mins >>> (16 * p + 8)) & 63);
            for (int i = 0; i < 32; i += 16) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 16 + 32 * p + i, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                int at = out + 64 * p + i;
                ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(dl0).sub(ml0).intoArray(dst, at);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(dl1).sub(ml1).intoArray(dst, at + 32);
            }
        }
    }

    /** As {@link #q5_KNarrow}, sixteen values per step. */
    static void q5_KWide(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o)), dmin = Float.float16ToFloat(w.get(I16, o + 2));
        int high = w.get(I32, o + 12);
        long scales = VectorDots.kPacked(w.get(I32, o + 4), high), mins = VectorDots.kPacked(w.get(I32, o + 8), high >>> 4);
        for (int p = 0; p < 4; p++) {
            float dl0 = d * (int) ((scales >>> (16 * p)) & 63), ml0 = dmin * (int) ((mins >>> (16 * p)) & 63);
            float dl1 = d * (int) ((scales >>> (16 * p + 8)) & 63), ml1 = dmin * (int) ((mins >>> (16 * p + 8)) & 63);
            for (int i = 0; i < 32; i += 16) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 48 + 32 * p + i, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                IntVector h = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 16 + i, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                int at = out + 64 * p + i;
                IntVector q0 = q.and(0x0F).or(h.lanewise(VectorOperators.LSHR, 2 * p).and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector q1 = q.lanewise(VectorOperators.LSHR, 4)
                        .or(h.lanewise(VectorOperators.LSHR, 2 * p + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                ((FloatVector) q0.convert(VectorOperators.I2F, 0)).mul(dl0).sub(ml0).intoArray(dst, at);
                ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(dl1).sub(ml1).intoArray(dst, at + 32);
            }
        }
    }

    /**
     * As {@link #q6_KNarrow}, sixteen values per step: each step reads the 16 bytes of qh and the two 16-byte runs
     * of ql that share them and makes the four 16-value groups {@code 128h + 32j + 16half}, j = 0 ... 3.
     */
    static void q6_KWide(MemorySegment w, long o, float[] dst, int out) {
        float d = Float.float16ToFloat(w.get(I16, o + 208));
        for (int t = 0; t < 4; t++) { // t = 2h + half
            int h = t >>> 1, half = t & 1;
            long ql = o + 64 * h + 16 * half;
            IntVector low0 = (IntVector) ByteVector.fromMemorySegment(B128, w, ql, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector low1 = (IntVector) ByteVector.fromMemorySegment(B128, w, ql + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector qh = (IntVector) ByteVector.fromMemorySegment(B128, w, o + 128 + 32 * h + 16 * half, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            long sc = o + 192 + 8 * h + half; // the scale of group 8h + 2j + half
            int at = out + 128 * h + 16 * half;
            IntVector q0 = low0.and(0x0F).or(qh.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32);
            IntVector q1 = low1.and(0x0F).or(qh.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32);
            IntVector q2 = low0.lanewise(VectorOperators.LSHR, 4).or(qh.and(0x30)).sub(32);
            IntVector q3 = low1.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32);
            ((FloatVector) q0.convert(VectorOperators.I2F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc)).intoArray(dst, at);
            ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 2)).intoArray(dst, at + 32);
            ((FloatVector) q2.convert(VectorOperators.I2F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 4)).intoArray(dst, at + 64);
            ((FloatVector) q3.convert(VectorOperators.I2F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 6)).intoArray(dst, at + 96);
        }
    }
}
