package dev.panamax.transformer.family;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The scalar fields of a {@code config.json} that {@link dev.panamax.formats.safetensors.HfConfig}
 * does not keep (a family's own hyper-parameters, e.g. DeepSeek's {@code kv_lora_rank}), with those
 * of one level of nested objects as {@code outer.inner} ({@code rope_scaling.beta_fast}). Arrays
 * are skipped; JSON null counts as absent. Errors name the file and the field.
 */
final class ConfigJson {
    private final Path file;
    private final Map<String, Object> values;

    private ConfigJson(Path file, Map<String, Object> values) {
        this.file = file;
        this.values = values;
    }

    static ConfigJson read(Path file) {
        Map<String, Object> values = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(Files.readAllBytes(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(file, "config", p.getText(), "must be a JSON object");
            }
            object(p, "", values, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new ConfigJson(file, values);
    }

    private static void object(JsonParser p, String prefix, Map<String, Object> out, int depth) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix + p.currentName();
            JsonToken t = p.nextToken();
            switch (t) {
                case START_OBJECT -> {
                    if (depth == 0) {
                        object(p, key + ".", out, 1);
                    } else {
                        p.skipChildren();
                    }
                }
                case START_ARRAY -> p.skipChildren();
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.put(key, p.getDoubleValue());
                case VALUE_TRUE, VALUE_FALSE -> out.put(key, t == JsonToken.VALUE_TRUE);
                case VALUE_STRING -> out.put(key, p.getText());
                default -> { } // null: absent
            }
        }
    }

    Path file() {
        return file;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    Optional<Double> number(String key) {
        Object v = values.get(key);
        if (v != null && !(v instanceof Double)) {
            throw new FormatException(file, key, v, "must be a number");
        }
        return Optional.ofNullable((Double) v);
    }

    double number(String key, double fallback) {
        return number(key).orElse(fallback);
    }

    /** A whole non-negative number. */
    int count(String key, int fallback) {
        Optional<Double> v = number(key);
        if (v.isEmpty()) {
            return fallback;
        }
        double d = v.get();
        if (d < 0 || d != Math.rint(d) || d > Integer.MAX_VALUE) {
            throw new FormatException(file, key, d, "must be a whole non-negative number");
        }
        return (int) d;
    }

    int requiredCount(String key) {
        if (!has(key)) {
            throw new FormatException(file, key, "(absent)", "the model needs this field");
        }
        return count(key, 0);
    }

    boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new FormatException(file, key, v, "must be true or false");
        }
        return v == null ? fallback : (Boolean) v;
    }

    String string(String key, String fallback) {
        Object v = values.get(key);
        if (v != null && !(v instanceof String)) {
            throw new FormatException(file, key, v, "must be a string");
        }
        return v == null ? fallback : (String) v;
    }
}
