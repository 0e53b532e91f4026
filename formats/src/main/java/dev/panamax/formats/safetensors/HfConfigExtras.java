package dev.panamax.formats.safetensors;

import dev.panamax.formats.FormatException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The {@code config.json} fields that {@link HfConfig} does not model itself, for the family that
 * needs them (Granite's {@code embedding_multiplier}, Phi-3's {@code sliding_window} and LongRoPE
 * {@code rope_scaling.short_factor} ...). Kept are top-level numbers, strings, booleans and arrays of
 * numbers, and the same inside {@code rope_scaling} / {@code rope_parameters} under
 * {@code "rope_scaling.<key>"} (whichever of the two {@link HfConfig#ropeScaling()} reads); other
 * values are skipped. The getters name the file and the key when a value has the wrong type.
 */
public final class HfConfigExtras {
    private final Path file;
    private final Map<String, Object> values;

    HfConfigExtras(Path file, Map<String, Object> values) {
        this.file = file;
        this.values = new TreeMap<>(values);
    }

    /** No extra fields (for configurations made in code). */
    public static HfConfigExtras none(Path file) {
        return new HfConfigExtras(file, Map.of());
    }

    /** Whether {@code key} was given (and not null). */
    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** The number {@code key}, if given. */
    public OptionalDouble number(String key) {
        Object v = values.get(key);
        if (v == null) {
            return OptionalDouble.empty();
        }
        if (!(v instanceof Double d)) {
            throw new FormatException(file, key, shown(v), "must be a number");
        }
        return OptionalDouble.of(d);
    }

    /** The positive integer {@code key}, if given. */
    public OptionalInt positiveInt(String key) {
        OptionalDouble d = number(key);
        if (d.isEmpty()) {
            return OptionalInt.empty();
        }
        double v = d.getAsDouble();
        if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
            throw new FormatException(file, key, v, "must be a positive integer");
        }
        return OptionalInt.of((int) v);
    }

    /** The string {@code key}, if given. */
    public Optional<String> string(String key) {
        Object v = values.get(key);
        if (v != null && !(v instanceof String)) {
            throw new FormatException(file, key, shown(v), "must be a string");
        }
        return Optional.ofNullable((String) v);
    }

    /** The boolean {@code key}, if given. */
    public Optional<Boolean> bool(String key) {
        Object v = values.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new FormatException(file, key, shown(v), "must be true or false");
        }
        return Optional.ofNullable((Boolean) v);
    }

    /** The array of numbers {@code key}, if given (a copy). */
    public Optional<double[]> numbers(String key) {
        Object v = values.get(key);
        if (v != null && !(v instanceof double[])) {
            throw new FormatException(file, key, shown(v), "must be an array of numbers");
        }
        return Optional.ofNullable(v == null ? null : ((double[]) v).clone());
    }

    private static String shown(Object v) {
        return v instanceof double[] a ? "an array of " + a.length + " numbers" : String.valueOf(v);
    }

    @Override
    public String toString() {
        return "HfConfigExtras" + values.keySet();
    }
}
