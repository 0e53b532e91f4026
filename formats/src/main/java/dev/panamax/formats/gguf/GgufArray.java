package dev.panamax.formats.gguf;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable GGUF metadata array: an element type and the elements, held in a primitive array
 * (a 150 000-entry score table is one {@code float[]}, not 150 000 boxes).
 *
 * <p>As a {@link List} its elements read as GGUF scalars do in {@link GgufMetadata#get}: UINT8,
 * INT8, UINT16, INT16 and INT32 as {@link Integer} (unsigned types zero-extended), UINT32, UINT64
 * and INT64 as {@link Long} (UINT64 as its raw 64 bits), FLOAT32 as {@link Float}, FLOAT64 as
 * {@link Double}, BOOL as {@link Boolean}, STRING as {@link String} and nested arrays as
 * {@code GgufArray}.
 */
public final class GgufArray extends AbstractList<Object> implements RandomAccess {
    private final GgufValueType elementType;
    private final Object storage;
    private final int size;

    /** Takes ownership of {@code storage}, whose Java type must match {@link #storageClass}. */
    GgufArray(GgufValueType elementType, Object storage, int size) {
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        this.storage = storage;
        this.size = size;
    }

    /**
     * {@return an array of strings}
     *
     * @param values the strings, in order
     */
    public static GgufArray ofStrings(List<String> values) {
        String[] a = values.toArray(new String[0]);
        for (int i = 0; i < a.length; i++) {
            Objects.requireNonNull(a[i], () -> "string array entry is null");
        }
        return new GgufArray(GgufValueType.STRING, a, a.length);
    }

    /**
     * {@return an array of FLOAT32 values (copied)}
     *
     * @param values the values
     */
    public static GgufArray ofFloat32(float... values) {
        return new GgufArray(GgufValueType.FLOAT32, values.clone(), values.length);
    }

    /**
     * {@return an array of FLOAT64 values (copied)}
     *
     * @param values the values
     */
    public static GgufArray ofFloat64(double... values) {
        return new GgufArray(GgufValueType.FLOAT64, values.clone(), values.length);
    }

    /**
     * {@return an array of INT32 values (copied)}
     *
     * @param values the values
     */
    public static GgufArray ofInt32(int... values) {
        return new GgufArray(GgufValueType.INT32, values.clone(), values.length);
    }

    /**
     * {@return an array of INT64 values (copied)}
     *
     * @param values the values
     */
    public static GgufArray ofInt64(long... values) {
        return new GgufArray(GgufValueType.INT64, values.clone(), values.length);
    }

    /**
     * {@return an array of BOOL values (copied)}
     *
     * @param values the flags
     */
    public static GgufArray ofBool(boolean... values) {
        return new GgufArray(GgufValueType.BOOL, values.clone(), values.length);
    }

    /**
     * {@return an array of arrays}
     *
     * @param values the inner arrays, each with its own element type
     */
    public static GgufArray ofArrays(List<GgufArray> values) {
        GgufArray[] a = values.toArray(new GgufArray[0]);
        for (GgufArray x : a) {
            Objects.requireNonNull(x, "nested array is null");
        }
        return new GgufArray(GgufValueType.ARRAY, a, a.length);
    }

    /**
     * An array of {@code elementType} holding {@code values}, each converted to that type.
     * Integers must be {@link Number}s within the type's range (UINT64 takes any long as raw bits),
     * floats any Number, BOOL Booleans, STRING Strings and ARRAY GgufArrays.
     *
     * @param elementType the GGUF type of every element
     * @param values      the elements, in order
     * @return the array, immutable
     * @throws IllegalArgumentException for a value of the wrong kind or out of range
     */
    public static GgufArray of(GgufValueType elementType, List<?> values) {
        int n = values.size();
        Object storage = allocate(elementType, n);
        for (int i = 0; i < n; i++) {
            Object v = values.get(i);
            Object c = GgufValues.convert(elementType, v, "array element " + i);
            switch (storage) {
                case byte[] a -> a[i] = (byte) ((Number) c).intValue();
                case short[] a -> a[i] = (short) ((Number) c).intValue();
                case int[] a -> a[i] = ((Number) c).intValue();
                case long[] a -> a[i] = ((Number) c).longValue();
                case float[] a -> a[i] = (Float) c;
                case double[] a -> a[i] = (Double) c;
                case boolean[] a -> a[i] = (Boolean) c;
                case String[] a -> a[i] = (String) c;
                case GgufArray[] a -> a[i] = (GgufArray) c;
                default -> throw new AssertionError(storage);
            }
        }
        return new GgufArray(elementType, storage, n);
    }

    /** A new primitive array of the storage class of {@code type}. */
    static Object allocate(GgufValueType type, int n) {
        return switch (type) {
            case UINT8, INT8 -> new byte[n];
            case UINT16, INT16 -> new short[n];
            case UINT32, INT32 -> new int[n];
            case UINT64, INT64 -> new long[n];
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case BOOL -> new boolean[n];
            case STRING -> new String[n];
            case ARRAY -> new GgufArray[n];
        };
    }

    /** {@return the type of every element} */
    public GgufValueType elementType() {
        return elementType;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(int i) {
        java.util.Objects.checkIndex(i, size);
        return switch (elementType) {
            case UINT8 -> ((byte[]) storage)[i] & 0xFF;
            case INT8 -> (int) ((byte[]) storage)[i];
            case UINT16 -> ((short[]) storage)[i] & 0xFFFF;
            case INT16 -> (int) ((short[]) storage)[i];
            case UINT32 -> ((int[]) storage)[i] & 0xFFFF_FFFFL;
            case INT32 -> ((int[]) storage)[i];
            case UINT64, INT64 -> ((long[]) storage)[i];
            case FLOAT32 -> ((float[]) storage)[i];
            case FLOAT64 -> ((double[]) storage)[i];
            case BOOL -> ((boolean[]) storage)[i];
            case STRING -> ((String[]) storage)[i];
            case ARRAY -> ((GgufArray[]) storage)[i];
        };
    }

    /** The primitive array behind this list; callers must not modify it. */
    Object storage() {
        return storage;
    }

    /**
     * {@return the elements as floats: FLOAT32 exactly, FLOAT64 rounded, integers converted}
     *
     * @throws IllegalArgumentException for STRING, BOOL or ARRAY elements
     */
    public float[] toFloatArray() {
        if (storage instanceof float[] f) {
            return f.clone();
        }
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = numberAt(i).floatValue();
        }
        return out;
    }

    /**
     * {@return the elements as ints}
     *
     * @throws IllegalArgumentException for non-integer elements or a value outside the int range
     */
    public int[] toIntArray() {
        if (elementType == GgufValueType.INT32) {
            return ((int[]) storage).clone();
        }
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            long v = longAt(i);
            if (v != (int) v) {
                throw new IllegalArgumentException(elementType + " element " + i + " = " + Long.toUnsignedString(v) + " does not fit an int");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /**
     * {@return the elements as longs (UINT64 as raw bits)}
     *
     * @throws IllegalArgumentException for non-integer elements
     */
    public long[] toLongArray() {
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = longAt(i);
        }
        return out;
    }

    /**
     * {@return the elements as strings}
     *
     * @throws IllegalArgumentException unless the element type is STRING
     */
    public List<String> toStringList() {
        if (elementType != GgufValueType.STRING) {
            throw new IllegalArgumentException("an array of " + elementType + ", not of STRING");
        }
        return List.of((String[]) storage);
    }

    private Number numberAt(int i) {
        if (!elementType.isInteger() && !elementType.isFloat()) {
            throw new IllegalArgumentException("an array of " + elementType + ", not of numbers");
        }
        return (Number) get(i);
    }

    private long longAt(int i) {
        if (!elementType.isInteger()) {
            throw new IllegalArgumentException("an array of " + elementType + ", not of integers");
        }
        return ((Number) get(i)).longValue();
    }
}
