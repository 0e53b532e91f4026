package dev.panamax.formats.gguf;

import dev.panamax.formats.FormatException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The key-value metadata of a GGUF file, in file order. Values are decoded when the file is
 * opened and held on the Java heap, so they stay readable after the file is closed.
 *
 * <p>{@link #get} returns values in these Java types (as {@link GgufArray} documents): Integer for UINT8, INT8, UINT16,
 * INT16 and INT32; Long for UINT32, UINT64 (raw bits) and INT64; Float, Double, Boolean, String; and
 * {@link GgufArray} (a {@code List}) for arrays. The typed getters accept any type that converts
 * without loss of meaning and throw {@link FormatException} naming the file and key when a key is
 * missing or holds the wrong kind of value.
 */
public final class GgufMetadata {
    /** One value with its type tag. */
    record Entry(GgufValueType type, Object value) {
    }

    private final Path file;
    private final Map<String, Entry> entries;

    GgufMetadata(Path file, LinkedHashMap<String, Entry> entries) {
        this.file = file;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** {@return the file the metadata was read from} */
    public Path file() {
        return file;
    }

    /** {@return all keys, in file order} */
    public Set<String> keys() {
        return entries.keySet();
    }

    /** {@return number of keys} */
    public int size() {
        return entries.size();
    }

    /**
     * {@return true if {@code key} is present}
     *
     * @param key the metadata key, e.g. {@code general.architecture}
     */
    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    /**
     * {@return the value of {@code key} (see the class comment for the Java types)}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing
     */
    public Object get(String key) {
        return entry(key).value();
    }

    /**
     * {@return the value of {@code key}, if present}
     *
     * @param key the metadata key
     */
    public Optional<Object> find(String key) {
        Entry e = entries.get(key);
        return e == null ? Optional.empty() : Optional.of(e.value());
    }

    /**
     * {@return the GGUF type of {@code key}'s value}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing
     */
    public GgufValueType typeOf(String key) {
        return entry(key).type();
    }

    /**
     * {@return a STRING value}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value has another type
     */
    public String getString(String key) {
        return valueOf(key, String.class, "a string");
    }

    /**
     * {@return a STRING value, if present}
     *
     * @param key the metadata key
     * @throws FormatException if the key is present with a value of another type
     */
    public Optional<String> findString(String key) {
        return contains(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /**
     * {@return an integer value of any integer type}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value is not an integer
     * @throws FormatException also for a UINT64 value above {@link Long#MAX_VALUE}
     */
    public long getLong(String key) {
        Entry e = entry(key);
        if (!e.type().isInteger()) {
            throw wrongType(key, e, "an integer");
        }
        long v = ((Number) e.value()).longValue();
        if (e.type() == GgufValueType.UINT64 && v < 0) {
            throw new FormatException(file, field(key), Long.toUnsignedString(v), "UINT64 value is too large for a signed 64-bit integer");
        }
        return v;
    }

    /**
     * {@return an integer value, if present}
     *
     * @param key the metadata key
     * @throws FormatException if the key is present with a value of another type
     */
    public OptionalLong findLong(String key) {
        return contains(key) ? OptionalLong.of(getLong(key)) : OptionalLong.empty();
    }

    /**
     * {@return an integer value that must fit an {@code int}}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value is not an integer
     * @throws FormatException if it does not
     */
    public int getInt(String key) {
        long v = getLong(key);
        if (v != (int) v) {
            throw new FormatException(file, field(key), v, "value does not fit a 32-bit int");
        }
        return (int) v;
    }

    /**
     * {@return a FLOAT32 value, or a FLOAT64 or integer value converted to float}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value has another type
     */
    public float getFloat(String key) {
        Entry e = entry(key);
        if (!e.type().isFloat() && !e.type().isInteger()) {
            throw wrongType(key, e, "a number");
        }
        return ((Number) e.value()).floatValue();
    }

    /**
     * {@return a number as float, if present}
     *
     * @param key the metadata key
     * @throws FormatException if the key is present with a value of another type
     */
    public Optional<Float> findFloat(String key) {
        return contains(key) ? Optional.of(getFloat(key)) : Optional.empty();
    }

    /**
     * {@return a BOOL value}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value has another type
     */
    public boolean getBoolean(String key) {
        return valueOf(key, Boolean.class, "a bool");
    }

    /**
     * {@return a BOOL value, if present}
     *
     * @param key the metadata key
     * @throws FormatException if the key is present with a value of another type
     */
    public Optional<Boolean> findBoolean(String key) {
        return contains(key) ? Optional.of(getBoolean(key)) : Optional.empty();
    }

    /**
     * {@return an array value of any element type}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value has another type
     */
    public GgufArray getArray(String key) {
        return valueOf(key, GgufArray.class, "an array");
    }

    /**
     * {@return an array value, if present}
     *
     * @param key the metadata key
     * @throws FormatException if the key is present with a value of another type
     */
    public Optional<GgufArray> findArray(String key) {
        return contains(key) ? Optional.of(getArray(key)) : Optional.empty();
    }

    /**
     * {@return an array of strings (immutable)}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value has another type
     */
    public List<String> getStringArray(String key) {
        GgufArray a = getArray(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw wrongElements(key, a, "expected an array of strings");
        }
        return a.toStringList();
    }

    /**
     * {@return an array of numbers as floats (a fresh copy)}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value has another type
     */
    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        if (!a.elementType().isFloat() && !a.elementType().isInteger()) {
            throw wrongElements(key, a, "expected an array of numbers");
        }
        return a.toFloatArray();
    }

    /**
     * {@return an array of integers that fit an {@code int} (a fresh copy)}
     *
     * @param key the metadata key, e.g. {@code llama.block_count}
     * @throws FormatException if the key is missing or its value has another type
     */
    public int[] getIntArray(String key) {
        GgufArray a = getArray(key);
        if (!a.elementType().isInteger()) {
            throw wrongElements(key, a, "expected an array of integers");
        }
        try {
            return a.toIntArray();
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, field(key), "array of " + a.elementType(), e.getMessage(), e);
        }
    }

    /** The entries with their types, in file order (for writers and dumps). */
    Map<String, Entry> entries() {
        return entries;
    }

    private Entry entry(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new FormatException(file, field(key), "(absent)", "required metadata key is missing");
        }
        return e;
    }

    /** The value of {@code key} if it is a {@code kind}, else a FormatException expecting {@code expected}. */
    private <T> T valueOf(String key, Class<T> kind, String expected) {
        Entry e = entry(key);
        if (kind.isInstance(e.value())) {
            return kind.cast(e.value());
        }
        throw wrongType(key, e, expected);
    }

    private FormatException wrongType(String key, Entry e, String expected) {
        return new FormatException(file, field(key) + ".type", e.type(), "expected " + expected);
    }

    private FormatException wrongElements(String key, GgufArray a, String problem) {
        return new FormatException(file, field(key), "array of " + a.elementType(), problem);
    }

    static String field(String key) {
        return "metadata[\"" + key + "\"]";
    }

    @Override
    public String toString() {
        return "GgufMetadata" + keys();
    }
}
