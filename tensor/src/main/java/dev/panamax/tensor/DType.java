package dev.panamax.tensor;

/**
 * Element types of a tensor: plain numbers and ggml's quantized block types.
 *
 * <p>A quantized type stores its values in blocks: {@link #blockSize()} values packed into
 * {@link #bytesPerBlock()} bytes (scales plus packed integers). Plain types are blocks of one value.
 * The ids are ggml's {@code enum ggml_type}, which GGUF files store for every tensor, and the block
 * sizes are those of ggml's {@code ggml-common.h}; both must never change.
 *
 * <pre>
 *  type   id  values/block bytes/block  layout of one block (ggml-common.h)
 *  Q4_0    2      32          18        f16 d; u8 qs[16]                 (4-bit, x = d * (q - 8))
 *  Q4_1    3      32          20        f16 d, m; u8 qs[16]              (x = d * q + m)
 *  Q5_0    6      32          22        f16 d; u8 qh[4]; u8 qs[16]       (5th bits in qh)
 *  Q5_1    7      32          24        f16 d, m; u8 qh[4]; u8 qs[16]
 *  Q8_0    8      32          34        f16 d; i8 qs[32]
 *  Q8_1    9      32          36        f16 d, s; i8 qs[32]              (s = d * sum(qs))
 *  Q2_K   10     256          84        u8 scales[16]; u8 qs[64]; f16 d, dmin
 *  Q3_K   11     256         110        u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d
 *  Q4_K   12     256         144        f16 d, dmin; u8 scales[12]; u8 qs[128]
 *  Q5_K   13     256         176        f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]
 *  Q6_K   14     256         210        u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d
 *  Q8_K   15     256         292        f32 d; i8 qs[256]; i16 bsums[16]
 *  MXFP4  39      32          17        u8 e (E8M0); u8 qs[16]            (FP4 E2M1, x = 2^(e-127) * e2m1(q))
 * </pre>
 */
public enum DType {
    /** IEEE 754 single precision: the type of every activation. */
    F32(0, 1, 4),
    /** IEEE 754 half precision (5-bit exponent, 10-bit mantissa). */
    F16(1, 1, 2),
    /** 4-bit integers with one F16 scale per 32 values: {@code x = d * (q - 8)}. */
    Q4_0(2, 32, 18),
    /** 4-bit integers with an F16 scale and minimum per 32 values: {@code x = d * q + m}. */
    Q4_1(3, 32, 20),
    /** 5-bit integers with one F16 scale per 32 values: {@code x = d * (q - 16)}. */
    Q5_0(6, 32, 22),
    /** 5-bit integers with an F16 scale and minimum per 32 values: {@code x = d * q + m}. */
    Q5_1(7, 32, 24),
    /** 8-bit integers with one F16 scale per 32 values: {@code x = d * q}. */
    Q8_0(8, 32, 34),
    /** Q8_0 plus the block's scaled sum {@code s = d * sum(q)}; ggml's form for activations. */
    Q8_1(9, 32, 36),
    /** K-quant of 2-bit values in 16 sub-blocks of 16, each with a 4-bit scale and minimum. */
    Q2_K(10, 256, 84),
    /** K-quant of 3-bit values in 16 sub-blocks of 16, each with a 6-bit scale. */
    Q3_K(11, 256, 110),
    /** K-quant of 4-bit values in 8 sub-blocks of 32, each with a 6-bit scale and minimum. */
    Q4_K(12, 256, 144),
    /** K-quant of 5-bit values in 8 sub-blocks of 32, each with a 6-bit scale and minimum. */
    Q5_K(13, 256, 176),
    /** K-quant of 6-bit values in 16 sub-blocks of 16, each with an 8-bit scale. */
    Q6_K(14, 256, 210),
    /** 8-bit values with an F32 scale and sums of 16-value groups; ggml's activation type for K-quant dots. */
    Q8_K(15, 256, 292),
    /** Signed 8-bit integer. */
    I8(24, 1, 1),
    /** Signed 16-bit integer. */
    I16(25, 1, 2),
    /** Signed 32-bit integer. */
    I32(26, 1, 4),
    /** Signed 64-bit integer. */
    I64(27, 1, 8),
    /** IEEE 754 double precision. */
    F64(28, 1, 8),
    /** bfloat16: the upper half of an F32 (8-bit exponent, 7-bit mantissa). */
    BF16(30, 1, 2),
    /** OCP microscaling FP4: 32 E2M1 values sharing one E8M0 power-of-two scale (gpt-oss's experts). */
    MXFP4(39, 32, 17);

    private static final DType[] BY_GGML_ID = new DType[64];

    static {
        for (DType t : values()) {
            BY_GGML_ID[t.ggmlId] = t;
        }
    }

    private final int ggmlId;
    private final int blockSize;
    private final int bytesPerBlock;

    DType(int ggmlId, int blockSize, int bytesPerBlock) {
        this.ggmlId = ggmlId;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /**
     * ggml's numeric id of this type ({@code enum ggml_type}), as stored in GGUF tensor infos.
     *
     * @return the id, between 0 and 63
     */
    public int ggmlId() {
        return ggmlId;
    }

    /**
     * Number of values in one block: 1 for plain types, 32 or 256 for quantized types.
     *
     * @return the values per block
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Number of bytes one block occupies. For plain types this is the size of one element.
     *
     * @return the bytes per block
     */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /**
     * True for ggml's block-quantized types (Q4_0 ... Q8_K, MXFP4).
     *
     * @return whether values are stored in blocks of more than one
     */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * True for F32, F16, BF16 and F64.
     *
     * @return whether each element is a plain floating-point number
     */
    public boolean isFloatingPoint() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /**
     * Bytes needed for {@code count} values of this type.
     *
     * @param count the number of values, a multiple of {@link #blockSize()}
     * @return {@code count / blockSize() * bytesPerBlock()}
     * @throws IllegalArgumentException if {@code count} is negative or not a whole number of blocks
     * @throws ArithmeticException if the size overflows a {@code long}
     */
    public long byteSize(long count) {
        if (count < 0 || count % blockSize != 0) {
            throw new IllegalArgumentException(
                    this + " stores values in blocks of " + blockSize + "; " + count + " is not a whole number of blocks");
        }
        return Math.multiplyExact(count / blockSize, (long) bytesPerBlock);
    }

    /**
     * The type with ggml id {@code id}.
     *
     * @param id the number ggml (and a GGUF tensor info) uses for the type
     * @return the type
     * @throws UnknownDTypeException if Panamax does not know that id (for example ggml's IQ types)
     */
    public static DType fromGgmlId(int id) {
        DType t = id >= 0 && id < BY_GGML_ID.length ? BY_GGML_ID[id] : null;
        if (t == null) {
            throw new UnknownDTypeException(id);
        }
        return t;
    }
}
