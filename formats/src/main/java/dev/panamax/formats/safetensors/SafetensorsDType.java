package dev.panamax.formats.safetensors;

import dev.panamax.tensor.DType;

/**
 * The element types a safetensors header may name, in the order of the reference implementation
 * (increasing alignment; its writer stores tensors by descending dtype, then by name).
 *
 * <p>Types Panamax has no {@link DType} for are exposed through a storage type of the same width:
 * {@code BOOL} and {@code U8} as {@link DType#I8}, {@code U16}/{@code U32}/{@code U64} as
 * {@code I16}/{@code I32}/{@code I64}. The bytes are untouched; the original type stays recorded in
 * {@link SafetensorsTensorInfo#dtype()}, and callers reading unsigned values must mask them
 * ({@code t.getLong(i) & 0xFF} for {@code U8}). {@code BOOL} bytes are 0 or 1.
 * The 8-bit floats {@code F8_E5M2}, {@code F8_E4M3} and {@code F8_E8M0} (power-of-two block
 * scales) have no storage type: they are read by decoding to F32 ({@link SafetensorsFile#readF32}).
 * Not supported (rejected as unknown): the sub-byte {@code F4}/{@code F6_*} types, the
 * {@code *FNUZ} 8-bit floats and {@code C64}.
 */
public enum SafetensorsDType {
    /** A byte that is 0 or 1; viewed as {@link DType#I8}. */
    BOOL(1, DType.I8),
    /** Unsigned byte; viewed as {@link DType#I8} (values above 127 read negative), decoded to F32 unsigned. */
    U8(1, DType.I8),
    /** Signed byte. */
    I8(1, DType.I8),
    /** 8-bit float, 5-bit exponent and 2-bit mantissa; read only by decoding to F32. */
    F8_E5M2(1, null),
    /** 8-bit float, 4-bit exponent and 3-bit mantissa (DeepSeek V3's weights); read by decoding. */
    F8_E4M3(1, null),
    /** 8-bit power of two {@code 2^(e - 127)}: the block scales of MXFP4 checkpoints. */
    F8_E8M0(1, null),
    /** Signed 16-bit integer. */
    I16(2, DType.I16),
    /** Unsigned 16-bit integer; viewed as {@link DType#I16}. */
    U16(2, DType.I16),
    /** IEEE half precision. */
    F16(2, DType.F16),
    /** bfloat16, the type most Hugging Face checkpoints are saved in. */
    BF16(2, DType.BF16),
    /** Signed 32-bit integer. */
    I32(4, DType.I32),
    /** Unsigned 32-bit integer; viewed as {@link DType#I32}. */
    U32(4, DType.I32),
    /** IEEE single precision. */
    F32(4, DType.F32),
    /** IEEE double precision. */
    F64(8, DType.F64),
    /** Signed 64-bit integer. */
    I64(8, DType.I64),
    /** Unsigned 64-bit integer; viewed as {@link DType#I64}. */
    U64(8, DType.I64);

    private final int byteSize;
    private final DType storageType;

    SafetensorsDType(int byteSize, DType storageType) {
        this.byteSize = byteSize;
        this.storageType = storageType;
    }

    /** {@return bytes per element} */
    public int byteSize() {
        return byteSize;
    }

    /** {@return true if a tensor of this type can be viewed in place ({@link #storageType()} exists)} */
    public boolean hasStorageType() {
        return storageType != null;
    }

    /**
     * {@return the Panamax type whose bytes are identical to this type's: the type of the zero-copy view}
     *
     * @throws UnsupportedOperationException for the 8-bit floats, which are only read by decoding
     */
    public DType storageType() {
        if (storageType == null) {
            throw new UnsupportedOperationException(this + " has no Panamax storage type; decode it to F32 instead");
        }
        return storageType;
    }

    /**
     * {@return the safetensors type of a Panamax type: F64, F32, F16, BF16, I64, I32, I16, I8}
     *
     * @param type a plain Panamax type
     * @throws IllegalArgumentException for quantized types, which safetensors cannot hold
     */
    public static SafetensorsDType of(DType type) {
        return switch (type) {
            case F64 -> F64;
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            case I64 -> I64;
            case I32 -> I32;
            case I16 -> I16;
            case I8 -> I8;
            default -> throw new IllegalArgumentException(
                    "safetensors has no " + type + " type; dequantize the tensor (dev.panamax.formats.quant) first");
        };
    }

    /** The type named {@code name} in a header (exact, upper case), or null if there is none. */
    static SafetensorsDType parse(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Names for error messages. */
    static String known() {
        StringBuilder b = new StringBuilder();
        for (SafetensorsDType t : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(t.name());
        }
        return b.toString();
    }
}
