package dev.panamax.formats.gguf;

import dev.panamax.formats.FormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks the header of a GGUF file (everything before the tensor data) from its mapping.
 *
 * <p>Every read is bounds-checked against the end of the file, and every count or length is checked
 * against the bytes that remain before anything is allocated for it, so a hostile header costs at
 * most memory proportional to the header itself. All offsets are longs: files may exceed 2 GiB.
 */
final class GgufParser {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Arrays of arrays nest at most this deep (gguf-py writes none; the cap keeps recursion bounded). */
    static final int MAX_NESTING = 8;
    /** name length + n_dims + one dimension + type + offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
    /** key length + value type + the smallest value. */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What the header says. */
    record Header(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, Map<String, GgufTensorInfo> byName, int alignment,
            long dataOffset) {
    }

    private final Path file;
    private final MemorySegment data;
    private final long size;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private long pos;

    private GgufParser(Path file, MemorySegment data) {
        this.file = file;
        this.data = data;
        this.size = data.byteSize();
    }

    /** Parses and checks the header of the GGUF file {@code file} mapped as {@code data}. */
    static Header parse(Path file, MemorySegment data) {
        return new GgufParser(file, data).header();
    }

    private Header header() {
        int magic = (int) u32("magic");
        if (magic != MAGIC) {
            throw new FormatException(file, "magic", String.format("0x%08x", magic), "not a GGUF file (expected the bytes 'GGUF')");
        }
        long version = u32("version");
        if (version == 1) {
            throw new FormatException(file, "version", 1, "GGUF version 1 (2023 files with 32-bit counts) is not supported; convert the model again");
        }
        if (version != 2 && version != 3) {
            String hint = Integer.reverseBytes((int) version) == 2 || Integer.reverseBytes((int) version) == 3
                    ? "; this looks like a big-endian GGUF, which Panamax does not read" : "";
            throw new FormatException(file, "version", Long.toUnsignedString(version), "unsupported GGUF version (Panamax reads 2 and 3)" + hint);
        }
        long tensorCount = u64("tensor_count");
        long kvCount = u64("metadata_kv_count");
        checkCount("metadata_kv_count", kvCount, MIN_KV_BYTES);
        checkCount("tensor_count", tensorCount, MIN_TENSOR_INFO_BYTES);

        LinkedHashMap<String, GgufMetadata.Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < kvCount; i++) {
            String key = string("metadata", i, ".key");
            String field = GgufMetadata.field(key);
            if (entries.containsKey(key)) {
                throw new FormatException(file, "metadata[" + i + "].key", key, "duplicate metadata key");
            }
            GgufValueType type = valueType(field + ".type");
            entries.put(key, new GgufMetadata.Entry(type, value(type, field, 0)));
        }
        GgufMetadata metadata = new GgufMetadata(file, entries);
        int alignment = alignment(metadata);

        checkCount("tensor_count", tensorCount, MIN_TENSOR_INFO_BYTES);
        List<GgufTensorInfo> tensors = new ArrayList<>((int) tensorCount);
        Map<String, GgufTensorInfo> byName = HashMap.newHashMap((int) tensorCount);
        for (int i = 0; i < tensorCount; i++) {
            GgufTensorInfo t = tensorInfo(i, alignment);
            GgufTensorInfo previous = byName.putIfAbsent(t.name(), t);
            if (previous != null) {
                throw new FormatException(file, field(TENSOR_INFOS, i, ".name"), t.name(),
                        "duplicate tensor name (also tensor_infos[" + previous.index() + "])");
            }
            tensors.add(t);
        }
        long dataOffset = alignUp(pos, alignment);
        checkData(tensors, dataOffset);
        return new Header((int) version, metadata, Collections.unmodifiableList(tensors), Collections.unmodifiableMap(byName), alignment, dataOffset);
    }

    private int alignment(GgufMetadata metadata) {
        if (!metadata.contains(ALIGNMENT_KEY)) {
            return DEFAULT_ALIGNMENT;
        }
        String field = GgufMetadata.field(ALIGNMENT_KEY);
        GgufValueType type = metadata.typeOf(ALIGNMENT_KEY);
        if (type != GgufValueType.UINT32) {
            throw new FormatException(file, field + ".type", type, "general.alignment must be a UINT32");
        }
        long a = (Long) metadata.get(ALIGNMENT_KEY);
        if (a == 0 || Long.bitCount(a) != 1 || a > (1 << 30)) {
            throw new FormatException(file, field, a, "alignment must be a power of two between 1 and 2^30");
        }
        return (int) a;
    }

    /** Suffixes of the dimension fields, so that reading a tensor info builds no strings unless it fails. */
    private static final String[] NE = {".ne[0]", ".ne[1]", ".ne[2]", ".ne[3]"};
    private static final String TENSOR_INFOS = "tensor_infos";

    private GgufTensorInfo tensorInfo(int i, int alignment) {
        String name = string(TENSOR_INFOS, i, ".name");
        long nDims = u32(TENSOR_INFOS, i, ".n_dims");
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw new FormatException(file, field(TENSOR_INFOS, i, ".n_dims"), nDims, "tensor '" + name + "' must have 1 to " + MAX_DIMS + " dimensions");
        }
        int rank = (int) nDims;
        long[] shape = new long[rank]; // outermost first: ne[] reversed
        long numel = 1;
        for (int d = 0; d < rank; d++) {
            long ne = u64(TENSOR_INFOS, i, NE[d]);
            if (ne <= 0) {
                throw new FormatException(file, field(TENSOR_INFOS, i, NE[d]), Long.toUnsignedString(ne),
                        "tensor '" + name + "' has a dimension that is not a positive 63-bit size");
            }
            shape[rank - 1 - d] = ne;
            try {
                numel = Math.multiplyExact(numel, ne);
            } catch (ArithmeticException e) {
                long[] read = new long[d + 1];
                for (int k = 0; k <= d; k++) {
                    read[k] = shape[rank - 1 - k];
                }
                throw new FormatException(file, field(TENSOR_INFOS, i, ".ne"), Arrays.toString(read), "tensor '" + name + "' has more than 2^63 elements");
            }
        }
        long ne0 = shape[rank - 1];
        long typeId = u32(TENSOR_INFOS, i, ".type");
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw new FormatException(file, field(TENSOR_INFOS, i, ".type"), typeId, "tensor '" + name + "' has an unknown ggml type id");
        }
        long bytes = type.byteSizeOrMinusOne(ne0, numel / ne0);
        if (bytes < 0) {
            throw new FormatException(file, field(TENSOR_INFOS, i, NE[0]), ne0, "tensor '" + name + "' of type " + type
                    + ": rows must be a whole number of " + type.blockSize() + "-value blocks and the size must fit 63 bits");
        }
        long offset = u64(TENSOR_INFOS, i, ".offset");
        if (offset < 0 || offset % alignment != 0) {
            throw new FormatException(file, field(TENSOR_INFOS, i, ".offset"), Long.toUnsignedString(offset),
                    "tensor '" + name + "' data offset is not a multiple of the alignment " + alignment);
        }
        return new GgufTensorInfo(name, type.id(), shape, offset, bytes, i, file);
    }

    /** Every tensor lies inside the file, and no two overlap. */
    private void checkData(List<GgufTensorInfo> tensors, long dataOffset) {
        if (tensors.isEmpty()) {
            return; // vocabulary-only files may end right after the header, without padding
        }
        if (dataOffset > size) {
            throw new FormatException(file, "data section", dataOffset, "starts past the end of the file (" + size + " bytes)");
        }
        long available = size - dataOffset;
        for (GgufTensorInfo t : tensors) {
            if (t.offset() > available || t.byteSize() > available - t.offset()) {
                throw new FormatException(file, "tensor_infos[" + t.index() + "].offset", t.offset(), "tensor '" + t.name() + "' ("
                        + t.byteSize() + " bytes) runs past the end of the file (data section holds " + available + " bytes)");
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int k = 1; k < byOffset.size(); k++) {
            GgufTensorInfo a = byOffset.get(k - 1);
            GgufTensorInfo b = byOffset.get(k);
            if (a.offset() + a.byteSize() > b.offset()) {
                throw new FormatException(file, "tensor_infos[" + b.index() + "].offset", b.offset(), "tensor '" + b.name()
                        + "' overlaps tensor_infos[" + a.index() + "] '" + a.name() + "' at [" + a.offset() + ", " + (a.offset() + a.byteSize()) + ")");
            }
        }
    }

    // ---------------------------------------------------------------- values

    private GgufValueType valueType(String field) {
        long id = u32(field);
        GgufValueType t = GgufValueType.byId(id);
        if (t == null) {
            throw new FormatException(file, field, Long.toUnsignedString(id), "unknown GGUF value type");
        }
        return t;
    }

    private Object value(GgufValueType type, String field, int depth) {
        return switch (type) {
            case UINT8 -> u8(field);
            case INT8 -> (int) (byte) u8(field);
            case UINT16 -> u16(field) & 0xFFFF;
            case INT16 -> (int) u16(field);
            case UINT32 -> u32(field);
            case INT32 -> (int) u32(field);
            case UINT64, INT64 -> u64(field);
            case FLOAT32 -> Float.intBitsToFloat((int) u32(field));
            case FLOAT64 -> Double.longBitsToDouble(u64(field));
            case BOOL -> bool(field);
            case STRING -> string(field);
            case ARRAY -> array(field, depth);
        };
    }

    private GgufArray array(String field, int depth) {
        if (depth >= MAX_NESTING) {
            throw new FormatException(file, field, "array nested " + (depth + 1) + " deep", "arrays may nest at most " + MAX_NESTING + " levels");
        }
        GgufValueType type = valueType(field + ".element_type");
        long count = u64(field + ".count");
        checkCount(field + ".count", count, type.minBytes());
        if (count > Integer.MAX_VALUE - 8) {
            throw new FormatException(file, field + ".count", count, "array is too long to hold in memory");
        }
        int n = (int) count;
        Object storage = GgufArray.allocate(type, n);
        long bytes = (long) n * type.minBytes();
        switch (storage) {
            case byte[] a -> {
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, a, 0, n);
                pos += bytes;
            }
            case short[] a -> {
                MemorySegment.copy(data, U16, pos, a, 0, n);
                pos += bytes;
            }
            case int[] a -> {
                MemorySegment.copy(data, U32, pos, a, 0, n);
                pos += bytes;
            }
            case long[] a -> {
                MemorySegment.copy(data, U64, pos, a, 0, n);
                pos += bytes;
            }
            case float[] a -> {
                MemorySegment.copy(data, F32, pos, a, 0, n);
                pos += bytes;
            }
            case double[] a -> {
                MemorySegment.copy(data, F64, pos, a, 0, n);
                pos += bytes;
            }
            case boolean[] a -> {
                for (int i = 0; i < n; i++) {
                    a[i] = bool(field, i);
                }
            }
            case String[] a -> {
                for (int i = 0; i < n; i++) {
                    a[i] = string(field, i);
                }
            }
            case GgufArray[] a -> {
                for (int i = 0; i < n; i++) {
                    String at = field + "[" + i + "]";
                    a[i] = array(at, depth + 1);
                }
            }
            default -> throw new AssertionError(storage);
        }
        return new GgufArray(type, storage, n);
    }

    private boolean bool(String field) {
        return bool(field, -1);
    }

    /**
     * The name of field {@code base[index]suffix} (no index when negative). Names of repeated fields
     * are built only for error messages: a vocabulary has 10^5 strings, a model 10^3 tensors.
     */
    private static String field(String base, int index, String suffix) {
        return (index < 0 ? base : base + "[" + index + "]") + suffix;
    }

    private static String element(String field, int index) {
        return field(field, index, "");
    }

    private boolean bool(String field, int index) {
        if (size - pos < 1) {
            need(1, element(field, index));
        }
        int b = data.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        if (b > 1) {
            throw new FormatException(file, element(field, index), b, "a bool must be 0 or 1");
        }
        return b == 1;
    }

    private String string(String field) {
        return string(field, -1);
    }

    private String string(String field, int index) {
        return string(field, index, "");
    }

    private String string(String base, int index, String suffix) {
        if (size - pos < 8) {
            need(8, field(base, index, suffix) + ".length");
        }
        long length = data.get(U64, pos);
        pos += 8;
        if (length < 0 || length > size - pos) {
            throw new FormatException(file, field(base, index, suffix) + ".length", Long.toUnsignedString(length),
                    "string runs past the end of the file (" + (size - pos) + " bytes remain at offset " + pos + ")");
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new FormatException(file, field(base, index, suffix) + ".length", length, "string is too long to hold in memory");
        }
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
        long start = pos;
        pos += length;
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file, field(base, index, suffix), "<" + length + " bytes at offset " + start + ">",
                    "string is not valid UTF-8 (" + e + ")", e);
        }
    }

    // ---------------------------------------------------------------- primitives

    /** {@code count} items of at least {@code minBytes} each must fit the rest of the file. */
    private void checkCount(String field, long count, int minBytes) {
        if (count < 0 || count > (size - pos) / minBytes) {
            throw new FormatException(file, field, Long.toUnsignedString(count), "the " + (size - pos)
                    + " bytes left in the file cannot hold that many entries (each takes at least " + minBytes + " bytes)");
        }
    }

    private void need(int n, String field) {
        if (size - pos < n) {
            throw new FormatException(file, field, "(truncated)", "the file ends at byte " + size + ", inside this " + n + "-byte field at offset " + pos);
        }
    }

    private int u8(String field) {
        need(1, field);
        return data.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
    }

    private short u16(String field) {
        need(2, field);
        short v = data.get(U16, pos);
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit value. */
    private long u32(String field) {
        need(4, field);
        long v = data.get(U32, pos) & 0xFFFF_FFFFL;
        pos += 4;
        return v;
    }

    private long u32(String base, int index, String suffix) {
        if (size - pos < 4) {
            need(4, field(base, index, suffix));
        }
        long v = data.get(U32, pos) & 0xFFFF_FFFFL;
        pos += 4;
        return v;
    }

    private long u64(String base, int index, String suffix) {
        if (size - pos < 8) {
            need(8, field(base, index, suffix));
        }
        long v = data.get(U64, pos);
        pos += 8;
        return v;
    }

    private long u64(String field) {
        need(8, field);
        long v = data.get(U64, pos);
        pos += 8;
        return v;
    }

    static long alignUp(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }
}
