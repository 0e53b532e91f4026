package dev.panamax.transformer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.Rope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Hugging Face {@code config.json} (model types llama, mistral, mixtral, qwen2) into a
 * {@link ModelConfig}. Hugging Face checkpoints keep Q and K in their natural layout, so RoPE is
 * always {@link Rope.Layout#NEOX} (halves rotated together).
 */
public final class HfConfigReader {
    private static final Set<String> SUPPORTED = Set.of("llama", "mistral", "mixtral", "qwen2");

    private final Path file;
    private final Map<String, Object> json;

    private HfConfigReader(Path file, Map<String, Object> json) {
        this.file = file;
        this.json = json;
    }

    /** Reads {@code config.json} (or the {@code config.json} inside a directory). */
    public static ModelConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        try {
            return parse(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Hugging Face config " + file, e);
        }
    }

    /** Parses the text of a {@code config.json}; {@code file} only names it in errors. */
    public static ModelConfig parse(Path file, String text) {
        Object root;
        try (JsonParser p = new JsonFactory().createParser(text)) {
            root = value(p, p.nextToken());
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "json", e.getOriginalMessage(), "not valid JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new FormatException(file, "(root)", root, "config.json must hold a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) map;
        return new HfConfigReader(file, json).toConfig();
    }

    private ModelConfig toConfig() {
        String type = string(json, "model_type");
        if (!SUPPORTED.contains(type)) {
            throw new UnsupportedModelException(file + ": model_type '" + type + "' is not supported; supported: " + SUPPORTED);
        }
        int dim = integer(json, "hidden_size", null);
        int heads = integer(json, "num_attention_heads", null);
        int kvHeads = integer(json, "num_key_value_heads", heads);
        int headDim = integer(json, "head_dim", heads > 0 && dim % heads == 0 ? dim / heads : null);
        boolean qwen2 = type.equals("qwen2");
        boolean bias = qwen2 || bool(json, "attention_bias", false);
        int experts = integer(json, "num_local_experts", 0);
        int used = integer(json, "num_experts_per_tok", experts > 0 ? 2 : 0);
        try {
            return new ModelConfig(type, dim, integer(json, "intermediate_size", null), integer(json, "num_hidden_layers", null),
                    heads, kvHeads, headDim, integer(json, "vocab_size", null), integer(json, "max_position_embeddings", 2048),
                    (float) number(json, "rms_norm_eps", 1e-6), rope(headDim), bias, bool(json, "tie_word_embeddings", false),
                    experts, experts > 0 ? used : 0);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "config", type, e.getMessage(), e);
        }
    }

    private RopeConfig rope(int headDim) {
        // Newer transformers versions nest theta and scaling in "rope_parameters".
        Map<String, Object> params = object(json, "rope_parameters");
        Map<String, Object> scaling = params != null ? params : object(json, "rope_scaling");
        double theta = params != null && params.get("rope_theta") != null ? number(params, "rope_theta", null)
                : number(json, "rope_theta", 10000.0);
        RopeScaling s = new RopeScaling.None();
        if (scaling != null) {
            Object kind = scaling.get("rope_type") != null ? scaling.get("rope_type") : scaling.get("type");
            String k = String.valueOf(kind);
            s = switch (k) {
                case "default", "null" -> new RopeScaling.None();
                case "linear" -> new RopeScaling.Linear(number(scaling, "factor", null));
                case "llama3" -> new RopeScaling.Llama3(number(scaling, "factor", null), number(scaling, "low_freq_factor", 1.0),
                        number(scaling, "high_freq_factor", 4.0), integer(scaling, "original_max_position_embeddings", 8192));
                default -> throw new UnsupportedModelException(file + ": rope_scaling type '" + k + "' is not supported"
                        + " (supported: default, linear, llama3)");
            };
        }
        double partial = number(json, "partial_rotary_factor", 1.0);
        return new RopeConfig(Rope.Layout.NEOX, (int) Math.round(headDim * partial), theta, s);
    }

    // ---------------------------------------------------------------- typed access, with errors naming the field

    private String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new FormatException(file, key, v, "expected a string");
        }
        return s;
    }

    private int integer(Map<String, Object> m, String key, Integer fallback) {
        Object v = m.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new FormatException(file, key, null, "required field is missing");
            }
            return fallback;
        }
        if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
            throw new FormatException(file, key, v, "expected a non-negative integer");
        }
        return (int) (long) l;
    }

    private double number(Map<String, Object> m, String key, Double fallback) {
        Object v = m.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new FormatException(file, key, null, "required field is missing");
            }
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw new FormatException(file, key, v, "expected a number");
        }
        return n.doubleValue();
    }

    private boolean bool(Map<String, Object> m, String key, boolean fallback) {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new FormatException(file, key, v, "expected true or false");
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new FormatException(file, key, v, "expected a JSON object or null");
        }
        return (Map<String, Object>) v;
    }

    /** A JSON value as Map, List, String, Long, Double, Boolean or null. */
    private static Object value(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new JsonProcessingExceptionImpl("empty document", p);
        }
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(value(p, next));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JsonProcessingExceptionImpl("unexpected " + t, p);
        }
    }

    private static final class JsonProcessingExceptionImpl extends JsonProcessingException {
        JsonProcessingExceptionImpl(String message, JsonParser p) {
            super(message, p.currentLocation());
        }
    }
}
