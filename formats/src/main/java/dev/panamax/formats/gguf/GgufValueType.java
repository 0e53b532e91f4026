package dev.panamax.formats.gguf;

/**
 * The type tag of a GGUF metadata value ({@code enum gguf_type} in the GGUF spec). Integers are
 * little-endian; strings are a {@code uint64} byte length followed by UTF-8 bytes; an array is an
 * element type tag ({@code uint32}), a {@code uint64} count and the elements.
 */
public enum GgufValueType {
    /** Unsigned 8-bit integer. */
    UINT8(0, 1),
    /** Signed 8-bit integer. */
    INT8(1, 1),
    /** Unsigned 16-bit integer. */
    UINT16(2, 2),
    /** Signed 16-bit integer. */
    INT16(3, 2),
    /** Unsigned 32-bit integer (read as a Long). */
    UINT32(4, 4),
    /** Signed 32-bit integer. */
    INT32(5, 4),
    /** IEEE single precision. */
    FLOAT32(6, 4),
    /** One byte, 0 or 1. */
    BOOL(7, 1),
    /** UTF-8 bytes after a UINT64 length. */
    STRING(8, 8),
    /** An element type (UINT32), a count (UINT64) and that many values. */
    ARRAY(9, 12),
    /** Unsigned 64-bit integer (read as a Long holding its raw bits). */
    UINT64(10, 8),
    /** Signed 64-bit integer. */
    INT64(11, 8),
    /** IEEE double precision. */
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = new GgufValueType[13];

    static {
        for (GgufValueType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** {@return the tag stored in the file} */
    public int id() {
        return id;
    }

    /**
     * The fewest bytes one value of this type takes in a file: its size for fixed-size types, the
     * length prefix for a string, the element type and count for an array. Readers use it to reject
     * a count that the rest of the file cannot hold before allocating anything for it.
     *
     * @return the bytes, at least 1
     */
    public int minBytes() {
        return minBytes;
    }

    /** {@return true for the fixed-size types whose size is {@link #minBytes()} (everything but STRING and ARRAY)} */
    public boolean isFixedSize() {
        return this != STRING && this != ARRAY;
    }

    /** {@return true for the eight integer types} */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** {@return true for FLOAT32 and FLOAT64} */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with tag {@code id}, or null if GGUF defines none. */
    static GgufValueType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** {@return the lower-case name used by gguf-py and gguf-dump, e.g. {@code "uint32"}} */
    public String ggufName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
