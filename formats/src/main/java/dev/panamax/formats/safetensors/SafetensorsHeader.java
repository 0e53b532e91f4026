package dev.panamax.formats.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed and validated safetensors header: the {@code __metadata__} map and the tensor entries,
 * in data order.
 *
 * <p>Validation follows the reference implementation: every entry has exactly {@code dtype},
 * {@code shape} and {@code data_offsets}; sorted by offsets, each tensor begins where the previous
 * one ends, holds exactly {@code product(shape) * size(dtype)} bytes (overflow-checked), and the last
 * one ends at the end of the file: the tensors tile the data section without gaps or overlaps.
 */
record SafetensorsHeader(Map<String, String> metadata, List<SafetensorsTensorInfo> tensors,
                         Map<String, SafetensorsTensorInfo> byName, List<String> names) {
    static final String METADATA_KEY = "__metadata__";
    /** Where the JSON starts in the file: after the 8-byte length. */
    private static final long JSON_OFFSET = 8;

    /** Parses {@code json} (the header bytes of {@code file}) for a data section of {@code dataSize} bytes. */
    static SafetensorsHeader parse(Path file, byte[] json, long dataSize) {
        if (json.length == 0 || json[0] != '{') {
            throw new FormatException(file, "header at byte 8",
                    json.length == 0 ? "empty" : String.format("0x%02X", json[0] & 0xFF), "must start with '{'");
        }
        Map<String, String> metadata = Map.of();
        List<SafetensorsTensorInfo> tensors = new ArrayList<>();
        try (JsonParser p = Json.parser(file, "header", json, JSON_OFFSET)) {
            next(p, file);
            Json.expect(p, JsonToken.START_OBJECT, file, "header", "must be a JSON object");
            while (next(p, file) == JsonToken.FIELD_NAME) {
                String name = Json.name(p, file, "header");
                next(p, file);
                if (METADATA_KEY.equals(name)) {
                    metadata = readMetadata(p, file);
                } else {
                    tensors.add(readTensor(p, file, name));
                }
            }
            if (next(p, file) != null) {
                throw new FormatException(file, "header after the closing '}'", Json.tokenText(p),
                        "only whitespace may follow the header object");
            }
        } catch (IOException e) { // from close(), which releases nothing that can fail here
            throw Json.syntaxError(file, "header", JSON_OFFSET, e);
        }
        tensors.sort(Comparator.comparingLong(SafetensorsTensorInfo::begin).thenComparingLong(SafetensorsTensorInfo::end));
        checkLayout(file, tensors, dataSize);
        Map<String, SafetensorsTensorInfo> byName = new LinkedHashMap<>();
        for (SafetensorsTensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        return new SafetensorsHeader(metadata, List.copyOf(tensors), Collections.unmodifiableMap(byName),
                List.copyOf(byName.keySet()));
    }

    private static JsonToken next(JsonParser p, Path file) {
        return Json.next(p, file, "header", JSON_OFFSET);
    }

    private static Map<String, String> readMetadata(JsonParser p, Path file) {
        String field = "header[\"" + METADATA_KEY + "\"]";
        if (p.currentToken() == JsonToken.VALUE_NULL) { // as the reference reads it: no metadata
            return Map.of();
        }
        Json.expect(p, JsonToken.START_OBJECT, file, field, "must be an object of strings");
        Map<String, String> map = new LinkedHashMap<>();
        while (next(p, file) == JsonToken.FIELD_NAME) {
            String key = Json.name(p, file, "header");
            next(p, file);
            map.put(key, Json.string(p, file, field + "[" + Json.quote(key) + "]"));
        }
        return Collections.unmodifiableMap(map);
    }

    /** The field {@code header["name"]} plus {@code suffix}, built only for messages. */
    private static String field(String name, String suffix) {
        return "header[" + Json.quote(name) + "]" + suffix;
    }

    private static SafetensorsTensorInfo readTensor(JsonParser p, Path file, String name) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new FormatException(file, field(name, ""), Json.tokenText(p), "must be an object with dtype, shape and data_offsets");
        }
        SafetensorsDType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (next(p, file) == JsonToken.FIELD_NAME) {
            String key = Json.name(p, file, "header");
            next(p, file);
            switch (key) {
                case "dtype" -> {
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw new FormatException(file, field(name, ".dtype"), Json.tokenText(p), "must be a string");
                    }
                    String text = Json.string(p, file, "dtype");
                    dtype = SafetensorsDType.parse(text);
                    if (dtype == null) {
                        throw new FormatException(file, field(name, ".dtype"), Json.quote(text),
                                "is not a known safetensors dtype (" + SafetensorsDType.known() + ")");
                    }
                }
                case "shape" -> shape = readLongs(p, file, name, ".shape");
                case "data_offsets" -> {
                    offsets = readLongs(p, file, name, ".data_offsets");
                    if (offsets.length != 2) {
                        throw new FormatException(file, field(name, ".data_offsets"), Arrays.toString(offsets),
                                "must be [begin, end]");
                    }
                }
                default -> throw new FormatException(file, field(name, "." + Json.shown(key)), Json.tokenText(p),
                        "is not a tensor field (expected dtype, shape, data_offsets)");
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw new FormatException(file, field(name, "." + missing), "missing", "every tensor needs dtype, shape and data_offsets");
        }
        if (offsets[1] < offsets[0]) {
            throw new FormatException(file, field(name, ".data_offsets"), Arrays.toString(offsets), "begin must not exceed end");
        }
        long bytes = dtype.byteSize();
        for (long d : shape) {
            try {
                bytes = Math.multiplyExact(bytes, d);
            } catch (ArithmeticException e) {
                throw new FormatException(file, field(name, ".shape"), Arrays.toString(shape),
                        "has more than 2^63 bytes of " + dtype);
            }
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw new FormatException(file, field(name, ".data_offsets"), Arrays.toString(offsets), "spans "
                    + (offsets[1] - offsets[0]) + " bytes, but " + dtype + Arrays.toString(shape) + " needs " + bytes);
        }
        return new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] readLongs(JsonParser p, Path file, String name, String suffix) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new FormatException(file, field(name, suffix), Json.tokenText(p), "must be an array of non-negative integers");
        }
        long[] values = new long[4];
        int n = 0;
        while (next(p, file) != JsonToken.END_ARRAY) {
            if (n == values.length) {
                values = Arrays.copyOf(values, 2 * n);
            }
            values[n] = isPlainLong(p) ? longValue(p) : -1;
            if (values[n] < 0) { // rare: build the field name and let Json say what is wrong
                Json.nonNegativeLong(p, file, field(name, suffix + "[" + n + "]"));
            }
            n++;
        }
        return Arrays.copyOf(values, n);
    }

    private static boolean isPlainLong(JsonParser p) {
        try {
            return p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
        } catch (IOException e) {
            return false;
        }
    }

    private static long longValue(JsonParser p) {
        try {
            return p.getLongValue();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sorted by offsets, the tensors must tile {@code [0, dataSize)} exactly. */
    private static void checkLayout(Path file, List<SafetensorsTensorInfo> sorted, long dataSize) {
        long expected = 0;
        SafetensorsTensorInfo previous = null;
        for (SafetensorsTensorInfo t : sorted) {
            if (t.end() > dataSize || t.begin() != expected) {
                throw layoutError(file, t, previous, expected, dataSize);
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataSize) {
            throw new FormatException(file, "data section", dataSize + " bytes", "the tensors cover only its first "
                    + expected + " bytes; the spec requires them to cover it without holes");
        }
    }

    /** The error for tensor {@code t}, which ends past the data or does not begin at {@code expected}. */
    private static FormatException layoutError(Path file, SafetensorsTensorInfo t, SafetensorsTensorInfo previous,
                                               long expected, long dataSize) {
        String field = field(t.name(), ".data_offsets");
        String value = "[" + t.begin() + ", " + t.end() + "]";
        if (t.end() > dataSize) {
            return new FormatException(file, field, value, "reaches past the data section's " + dataSize + " bytes");
        }
        if (t.begin() < expected) {
            return new FormatException(file, field, value,
                    "overlaps tensor " + Json.quote(previous.name()) + ", which ends at " + expected);
        }
        return new FormatException(file, field, value, "leaves the data bytes [" + expected + ", " + t.begin()
                + ") unused; the spec requires tensors to cover the data section without holes");
    }
}
