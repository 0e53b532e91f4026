package dev.panamax.formats.gguf;

import dev.panamax.tensor.DType;
import java.util.Optional;

/**
 * Every tensor type a GGUF file may name ({@code enum ggml_type} of ggml.h), with its block
 * geometry from ggml-common.h. Panamax computes with the types that have a {@link DType}; the
 * others (the IQ and ternary families, NVFP4) are still known here so that a file using them opens,
 * its sizes are checked and its other tensors are usable. Ids 4, 5 and 31 to 38 were removed from
 * ggml and are rejected like any unknown id.
 */
public enum GgmlType {
    /** ggml's F32; Panamax computes with it as {@link DType#F32}. */
    F32(0, 1, 4, DType.F32),
    /** ggml's F16; Panamax computes with it as {@link DType#F16}. */
    F16(1, 1, 2, DType.F16),
    /** ggml's Q4_0; Panamax computes with it as {@link DType#Q4_0}. */
    Q4_0(2, 32, 18, DType.Q4_0),
    /** ggml's Q4_1; Panamax computes with it as {@link DType#Q4_1}. */
    Q4_1(3, 32, 20, DType.Q4_1),
    /** ggml's Q5_0; Panamax computes with it as {@link DType#Q5_0}. */
    Q5_0(6, 32, 22, DType.Q5_0),
    /** ggml's Q5_1; Panamax computes with it as {@link DType#Q5_1}. */
    Q5_1(7, 32, 24, DType.Q5_1),
    /** ggml's Q8_0; Panamax computes with it as {@link DType#Q8_0}. */
    Q8_0(8, 32, 34, DType.Q8_0),
    /** ggml's Q8_1; Panamax computes with it as {@link DType#Q8_1}. */
    Q8_1(9, 32, 36, DType.Q8_1),
    /** ggml's Q2_K; Panamax computes with it as {@link DType#Q2_K}. */
    Q2_K(10, 256, 84, DType.Q2_K),
    /** ggml's Q3_K; Panamax computes with it as {@link DType#Q3_K}. */
    Q3_K(11, 256, 110, DType.Q3_K),
    /** ggml's Q4_K; Panamax computes with it as {@link DType#Q4_K}. */
    Q4_K(12, 256, 144, DType.Q4_K),
    /** ggml's Q5_K; Panamax computes with it as {@link DType#Q5_K}. */
    Q5_K(13, 256, 176, DType.Q5_K),
    /** ggml's Q6_K; Panamax computes with it as {@link DType#Q6_K}. */
    Q6_K(14, 256, 210, DType.Q6_K),
    /** ggml's Q8_K; Panamax computes with it as {@link DType#Q8_K}. */
    Q8_K(15, 256, 292, DType.Q8_K),
    /** f16 d; u16 qs[32]. */
    IQ2_XXS(16, 256, 66, null),
    /** f16 d; u16 qs[32]; u8 scales[8]. */
    IQ2_XS(17, 256, 74, null),
    /** f16 d; u8 qs[96]. */
    IQ3_XXS(18, 256, 98, null),
    /** f16 d; u8 qs[32]; u16 qh[8]. */
    IQ1_S(19, 256, 50, null),
    /** f16 d; u8 qs[16]. */
    IQ4_NL(20, 32, 18, null),
    /** f16 d; u8 qs[64]; u8 qh[8]; u8 signs[32]; u8 scales[4]. */
    IQ3_S(21, 256, 110, null),
    /** f16 d; u8 qs[64]; u8 qh[8]; u8 scales[8]. */
    IQ2_S(22, 256, 82, null),
    /** f16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128]. */
    IQ4_XS(23, 256, 136, null),
    /** ggml's I8; Panamax computes with it as {@link DType#I8}. */
    I8(24, 1, 1, DType.I8),
    /** ggml's I16; Panamax computes with it as {@link DType#I16}. */
    I16(25, 1, 2, DType.I16),
    /** ggml's I32; Panamax computes with it as {@link DType#I32}. */
    I32(26, 1, 4, DType.I32),
    /** ggml's I64; Panamax computes with it as {@link DType#I64}. */
    I64(27, 1, 8, DType.I64),
    /** ggml's F64; Panamax computes with it as {@link DType#F64}. */
    F64(28, 1, 8, DType.F64),
    /** u8 qs[32]; u8 qh[16]; u8 scales[8]. */
    IQ1_M(29, 256, 56, null),
    /** ggml's BF16; Panamax computes with it as {@link DType#BF16}. */
    BF16(30, 1, 2, DType.BF16),
    /** u8 qs[48]; u8 qh[4]; f16 d. */
    TQ1_0(34, 256, 54, null),
    /** u8 qs[64]; f16 d. */
    TQ2_0(35, 256, 66, null),
    /** u8 e (E8M0 scale); u8 qs[16]. */
    MXFP4(39, 32, 17, DType.MXFP4),
    /** u8 d[4] (UE4M3 scales); u8 qs[32]. */
    NVFP4(40, 64, 36, null),
    /** f16 d; u8 qs[16] (one sign bit per value). */
    Q1_0(41, 128, 18, null);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;
    private final DType dtype;

    GgmlType(int id, int blockSize, int bytesPerBlock, DType dtype) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
        this.dtype = dtype;
    }

    /** {@return ggml's numeric id, as stored in a tensor info} */
    public int id() {
        return id;
    }

    /** {@return values per block (1 for plain types)} */
    public int blockSize() {
        return blockSize;
    }

    /** {@return bytes per block} */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** {@return the Panamax element type, if Panamax can compute with this type} */
    public Optional<DType> dtype() {
        return Optional.ofNullable(dtype);
    }

    /**
     * {@return the type with ggml id {@code id}, or null if ggml defines none (or removed it)}
     *
     * @param id the number a GGUF tensor info stores
     */
    public static GgmlType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /**
     * {@return the ggml type of a Panamax element type}
     *
     * @param dtype any Panamax element type
     */
    public static GgmlType of(DType dtype) {
        GgmlType t = byId(dtype.ggmlId());
        if (t == null || t.dtype != dtype) {
            throw new IllegalStateException("no ggml type for " + dtype); // the tables disagree: a bug
        }
        return t;
    }

    /**
     * Bytes needed for a tensor whose innermost dimension is {@code ne0} and that has {@code rows}
     * rows, or -1 if {@code ne0} is not a whole number of blocks or the size overflows a long.
     */
    long byteSizeOrMinusOne(long ne0, long rows) {
        if (ne0 % blockSize != 0) {
            return -1;
        }
        try {
            return Math.multiplyExact(Math.multiplyExact(ne0 / blockSize, (long) bytesPerBlock), rows);
        } catch (ArithmeticException e) {
            return -1;
        }
    }
}
