package dev.panamax.transformer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.JsonTree;
import dev.panamax.formats.safetensors.HfConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The language model's object of a Hugging Face {@code config.json}: the whole file, or, for a
 * multimodal checkpoint (Gemma 3's {@code Gemma3ForConditionalGeneration}, Llava-style wrappers), its
 * {@code text_config}, which transformers reads with {@code get_text_config()}. Such a text_config
 * lists only what differs from its config class's defaults (Gemma 3 4B's omits the head counts), so a
 * family's defaults ({@link dev.panamax.transformer.family.ModelFamily#hfDefaults()}) can be filled
 * in for absent fields before {@link HfConfig} reads it. A family also reads its own fields here
 * (soft-caps, sliding windows ...), which {@link HfConfig} does not know.
 *
 * <p>Values are kept as {@link JsonTree} reads them; a field given as JSON null reads as absent but keeps a default from replacing it
 * (Gemma 2's {@code "final_logit_softcapping": null} means none, where its class's default is 30).
 */
public final class HfConfigJson {
    private static final String TEXT_CONFIG = "text_config";
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(64).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path file;
    private final String where;
    private final Map<String, Object> fields;

    private HfConfigJson(Path file, String where, Map<String, Object> fields) {
        this.file = file;
        this.where = where;
        this.fields = Collections.unmodifiableMap(fields);
    }

    /**
     * Reads {@code file} (a config.json) and keeps its language model's object.
     *
     * @param file a {@code config.json}
     * @return its fields
     * @throws dev.panamax.formats.FormatException if it is not valid JSON
     */
    public static HfConfigJson read(Path file) {
        try {
            long size = Files.size(file);
            if (size > HfConfig.MAX_CONFIG_BYTES) {
                throw new FormatException(file, "file size", size, "exceeds the config limit of " + HfConfig.MAX_CONFIG_BYTES + " bytes");
            }
            return parse(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Parses config JSON ({@code file} names it in errors) and keeps its language model's object.
     *
     * @param file the file the bytes came from, for messages
     * @param json the UTF-8 JSON text
     * @return its fields
     * @throws dev.panamax.formats.FormatException if it is not valid JSON
     */
    public static HfConfigJson parse(Path file, byte[] json) {
        Object root;
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new FormatException(file, "config", p.currentToken(), "must be a JSON object");
            }
            root = JsonTree.read(p);
            if (p.nextToken() != null) {
                throw new FormatException(file, "config after the closing '}'", p.getText(), "must end there");
            }
        } catch (IOException e) {
            throw new FormatException(file, "config", "JSON", e.getMessage(), e);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) root;
        if (top.get(TEXT_CONFIG) instanceof Map<?, ?> text && !top.containsKey("hidden_size")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> textFields = new LinkedHashMap<>((Map<String, Object>) text);
            if (top.get("model_type") != null) {
                textFields.putIfAbsent("model_type", top.get("model_type")); // transformers knows it from the outer class
            }
            return new HfConfigJson(file, TEXT_CONFIG + ".", textFields);
        }
        return new HfConfigJson(file, "", top);
    }

    /** {@return the config file, for messages} */
    public Path file() {
        return file;
    }

    /** {@return true if this is the {@code text_config} of a multimodal config} */
    public boolean isTextConfig() {
        return !where.isEmpty();
    }

    /** {@return {@code model_type} of the language model, if given} */
    public Optional<String> modelType() {
        return fields.get("model_type") instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /**
     * {@return true if {@code field} is given and not null}
     *
     * @param field a top-level field name
     */
    public boolean has(String field) {
        return fields.get(field) != null;
    }

    /**
     * These fields with {@code defaults} added where absent (values: {@link Long}, {@link Double},
     * {@link Boolean}, {@link String}, lists and maps of them).
     *
     * @param defaults field name to value
     * @return a new object; this one is unchanged
     */
    public HfConfigJson withDefaults(Map<String, ?> defaults) {
        Map<String, Object> m = new LinkedHashMap<>(fields);
        defaults.forEach((k, v) -> {
            if (!m.containsKey(k)) { // a field given as null keeps its null
                m.put(k, v);
            }
        });
        return new HfConfigJson(file, where, m);
    }

    /**
     * A number field.
     *
     * @param field a top-level field name
     * @return its value, empty if absent or null
     * @throws dev.panamax.formats.FormatException if it is not a number
     */
    public OptionalDouble number(String field) {
        Object v = fields.get(field);
        if (v == null) {
            return OptionalDouble.empty();
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new FormatException(file, where + field, v, "must be a finite number");
        }
        return OptionalDouble.of(n.doubleValue());
    }

    /**
     * A positive integer field.
     *
     * @param field a top-level field name
     * @return its value, empty if absent or null
     * @throws dev.panamax.formats.FormatException if it is not a positive integer that fits an int
     */
    public OptionalInt positiveInt(String field) {
        Object v = fields.get(field);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (!(v instanceof Long l) || l <= 0 || l > Integer.MAX_VALUE) {
            throw new FormatException(file, where + field, v, "must be a positive integer");
        }
        return OptionalInt.of((int) (long) l);
    }

    /**
     * A string field.
     *
     * @param field a top-level field name
     * @return its value, empty if absent or null
     * @throws dev.panamax.formats.FormatException if it is not a string
     */
    public Optional<String> string(String field) {
        Object v = fields.get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new FormatException(file, where + field, v, "must be a string");
        }
        return Optional.of(s);
    }

    /**
     * An array of strings.
     *
     * @param field a top-level field name
     * @return its value, empty if absent or null
     * @throws dev.panamax.formats.FormatException if it is not an array of strings
     */
    public Optional<List<String>> strings(String field) {
        Object v = fields.get(field);
        if (v == null) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new FormatException(file, where + field, v, "must be an array of strings");
                }
                out.add(s);
            }
            return Optional.of(List.copyOf(out));
        }
        throw new FormatException(file, where + field, v, "must be an array of strings");
    }

    /** {@return the fields as JSON, for {@link HfConfig#parse}} */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            JsonTree.write(g, fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
