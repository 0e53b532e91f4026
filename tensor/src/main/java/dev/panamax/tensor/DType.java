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
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2),
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

    /** ggml's numeric id of this type ({@code enum ggml_type}), as stored in GGUF tensor infos. */
    public int ggmlId() {
        return ggmlId;
    }

    /** Number of values in one block: 1 for plain types, 32 or 256 for quantized types. */
    public int blockSize() {
        return blockSize;
    }

    /** Number of bytes one block occupies. For plain types this is the size of one element. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** True for ggml's block-quantized types (Q4_0 ... Q8_K, MXFP4). */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /** True for F32, F16, BF16 and F64. */
    public boolean isFloatingPoint() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /**
     * Bytes needed for {@code count} values of this type.
     *
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
