package dev.panamax.formats.gguf;

/** Conversion of Java values to the boxed forms that stand for GGUF values (see {@link GgufArray}). */
final class GgufValues {
    private GgufValues() {
    }

    /**
     * {@code v} as the canonical Java form of a value of {@code type}: Integer for the narrow integer
     * types and INT32, Long for UINT32, UINT64 and INT64, Float, Double, Boolean, String or GgufArray.
     *
     * @throws IllegalArgumentException if {@code v} is of the wrong kind or out of the type's range
     */
    static Object convert(GgufValueType type, Object v, String what) {
        if (v == null) {
            throw new IllegalArgumentException(what + ": null is not a GGUF value");
        }
        switch (type) {
            case STRING -> {
                if (v instanceof String s) {
                    return s;
                }
            }
            case BOOL -> {
                if (v instanceof Boolean b) {
                    return b;
                }
            }
            case ARRAY -> {
                if (v instanceof GgufArray a) {
                    return a;
                }
            }
            case FLOAT32 -> {
                if (v instanceof Number n) {
                    return n.floatValue();
                }
            }
            case FLOAT64 -> {
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
            }
            default -> {
                if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
                    long x = ((Number) v).longValue();
                    long min;
                    long max;
                    switch (type) {
                        case UINT8 -> { min = 0; max = 0xFF; }
                        case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
                        case UINT16 -> { min = 0; max = 0xFFFF; }
                        case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
                        case UINT32 -> { min = 0; max = 0xFFFF_FFFFL; }
                        case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
                        default -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; } // INT64; UINT64 as raw bits
                    }
                    if (x < min || x > max) {
                        throw new IllegalArgumentException(what + ": " + x + " is out of the range of " + type + " [" + min + ", " + max + "]");
                    }
                    return switch (type) {
                        case UINT32, UINT64, INT64 -> x;
                        default -> (int) x;
                    };
                }
            }
        }
        throw new IllegalArgumentException(what + ": a " + v.getClass().getSimpleName() + " (" + v + ") cannot be stored as " + type);
    }

    /** The natural GGUF type of a Java value, for {@link GgufWriter#put(String, Object)}. */
    static GgufValueType typeOf(Object v, String what) {
        return switch (v) {
            case String s -> GgufValueType.STRING;
            case Boolean b -> GgufValueType.BOOL;
            case Byte b -> GgufValueType.INT8;
            case Short s -> GgufValueType.INT16;
            case Integer i -> GgufValueType.INT32;
            case Long l -> GgufValueType.INT64;
            case Float f -> GgufValueType.FLOAT32;
            case Double d -> GgufValueType.FLOAT64;
            case GgufArray a -> GgufValueType.ARRAY;
            case null -> throw new IllegalArgumentException(what + ": null is not a GGUF value");
            default -> throw new IllegalArgumentException(what + ": cannot store a " + v.getClass().getName() + " in GGUF");
        };
    }
}
