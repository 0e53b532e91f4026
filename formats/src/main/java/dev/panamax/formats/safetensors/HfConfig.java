package dev.panamax.formats.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.RegularFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The architecture fields of a Hugging Face {@code config.json} (llama, mistral, mixtral, qwen2 and
 * alike), read with the same limits as safetensors headers. Other keys are skipped; JSON {@code null}
 * counts as absent.
 *
 * @param modelType             {@code model_type}, e.g. "llama", "qwen2", "mixtral" (required)
 * @param architectures         {@code architectures}, e.g. ["LlamaForCausalLM"] (empty if absent)
 * @param hiddenSize            {@code hidden_size} (required)
 * @param intermediateSize      {@code intermediate_size}, the feed-forward width (required)
 * @param numHiddenLayers       {@code num_hidden_layers} (required)
 * @param numAttentionHeads     {@code num_attention_heads} (required)
 * @param numKeyValueHeads      {@code num_key_value_heads}; {@code num_attention_heads} if absent (no GQA)
 * @param headDim               {@code head_dim} if given; see {@link #headDimension()}
 * @param maxPositionEmbeddings {@code max_position_embeddings} (required)
 * @param rmsNormEps            {@code rms_norm_eps}; 1e-6 if absent (the transformers default)
 * @param ropeTheta             {@code rope_theta}, or {@code rope_parameters.rope_theta} (transformers 5), which wins;
 *                              10000 if neither is given
 * @param ropeScaling           {@code rope_scaling}, if present and not null; when transformers 5's
 *                              {@code rope_parameters} is given, that object instead (with its rope_type,
 *                              factor, ..., or per layer type its {@code full_attention} object; the other
 *                              layer types' are among the {@link #others()}), and {@code rope_scaling} is ignored
 * @param partialRotaryFactor   {@code partial_rotary_factor} (or {@code rope_parameters.partial_rotary_factor}, which
 *                              wins): the fraction of each head that RoPE rotates, in (0, 1]; 1 if absent
 * @param vocabSize             {@code vocab_size} (required)
 * @param tieWordEmbeddings     {@code tie_word_embeddings}; false if absent
 * @param numLocalExperts       {@code num_local_experts} (or qwen2_moe's {@code num_experts}); 0 if absent
 * @param numExpertsPerTok      {@code num_experts_per_tok}; 0 if absent (then the model's own default applies);
 *                              an explicit 0 is rejected for a mixture-of-experts model
 * @param attentionBias         {@code attention_bias} as written; false if absent (see {@link #hasQkvBias()})
 * @param bosTokenIds           {@code bos_token_id}: one id, a list, or empty if absent
 * @param eosTokenIds           {@code eos_token_id}: one id, a list (Llama 3.1 lists three), or empty
 * @param hiddenAct             {@code hidden_act}, e.g. "silu"
 * @param torchDtype            {@code torch_dtype}, e.g. "bfloat16"
 * @param others                every other top-level field holding a number, boolean, string or array of them
 *                              (a family's own fields, e.g. qwen2_moe's {@code moe_intermediate_size})
 */
public record HfConfig(String modelType, List<String> architectures, int hiddenSize, int intermediateSize,
                       int numHiddenLayers, int numAttentionHeads, int numKeyValueHeads, OptionalInt headDim,
                       int maxPositionEmbeddings, double rmsNormEps, double ropeTheta, Optional<RopeScaling> ropeScaling,
                       double partialRotaryFactor, int vocabSize, boolean tieWordEmbeddings, int numLocalExperts, int numExpertsPerTok,
                       boolean attentionBias, List<Integer> bosTokenIds, List<Integer> eosTokenIds,
                       Optional<String> hiddenAct, Optional<String> torchDtype, OtherFields others) {
    /** Largest config.json read: real ones are a few KiB. */
    public static final long MAX_CONFIG_BYTES = 16 << 20;

    /** Copies the lists, so that the record stays immutable. */
    public HfConfig {
        Objects.requireNonNull(modelType, "modelType");
        architectures = List.copyOf(architectures);
        bosTokenIds = List.copyOf(bosTokenIds);
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /**
     * {@code rope_scaling}: how RoPE frequencies are stretched for long contexts.
     *
     * @param type                          {@code rope_type} (or the older {@code type}): "llama3", "linear", "dynamic", "yarn", ...
     * @param factor                        {@code factor}
     * @param lowFreqFactor                 {@code low_freq_factor} (llama3)
     * @param highFreqFactor                {@code high_freq_factor} (llama3)
     * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings}
     * @param yarn                          yarn's {@code beta_fast}, {@code beta_slow}, {@code truncate},
     *                                      {@code attention_factor}, each empty where absent
     */
    public record RopeScaling(String type, double factor, OptionalDouble lowFreqFactor, OptionalDouble highFreqFactor,
                              OptionalInt originalMaxPositionEmbeddings, Yarn yarn) {
        /**
         * A scaling without yarn's fields.
         *
         * @param type                          {@code rope_type}
         * @param factor                        {@code factor}
         * @param lowFreqFactor                 {@code low_freq_factor}
         * @param highFreqFactor                {@code high_freq_factor}
         * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings}
         */
        public RopeScaling(String type, double factor, OptionalDouble lowFreqFactor, OptionalDouble highFreqFactor,
                           OptionalInt originalMaxPositionEmbeddings) {
            this(type, factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings, Yarn.ABSENT);
        }
    }

    /**
     * YaRN's own {@code rope_scaling} fields (transformers' defaults apply where empty: 32, 1, true, {@code 0.1 ln(factor) + 1}).
     *
     * @param betaFast        {@code beta_fast}: the rotation count above which a frequency is left unscaled
     * @param betaSlow        {@code beta_slow}: the rotation count below which a frequency is fully interpolated
     * @param truncate        {@code truncate}: whether the correction range is rounded to whole dimensions
     * @param attentionFactor {@code attention_factor}: the factor on RoPE's cos and sin (so on the attention scores)
     */
    public record Yarn(OptionalDouble betaFast, OptionalDouble betaSlow, Optional<Boolean> truncate, OptionalDouble attentionFactor) {
        /** None given. */
        public static final Yarn ABSENT = new Yarn(OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), OptionalDouble.empty());
    }

    /**
     * The top-level fields {@link HfConfig} has no component for (and those of {@code rope_scaling} /
     * {@code rope_parameters} it does not read, as {@code "rope_scaling.<key>"}), as read: {@link Long} (integers),
     * {@link Double}, {@link Boolean}, {@link String}, or a {@link List} of those. The typed getters
     * throw a {@link FormatException} naming the file and field when a value has the wrong type.
     *
     * @param file   the config.json, named in errors
     * @param values field name to value
     */
    public record OtherFields(Path file, Map<String, Object> values) {
        /** Copies the map, so that the record stays immutable. */
        public OtherFields {
            values = Map.copyOf(values);
        }

        /**
         * {@return a non-negative integer field that fits an int}
         *
         * @param field the field name, as in the file (or {@code rope_scaling.<key>})
         * @throws FormatException if the field is present with a value of another type
         */
        public OptionalInt integer(String field) {
            Object v = values.get(field);
            if (v == null) {
                return OptionalInt.empty();
            }
            if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw new FormatException(file, field, v, "must be a non-negative integer");
            }
            return OptionalInt.of((int) (long) l);
        }

        /**
         * {@return a number field}
         *
         * @param field the field name, as in the file (or {@code rope_scaling.<key>})
         * @throws FormatException if the field is present with a value of another type
         */
        public OptionalDouble number(String field) {
            Object v = values.get(field);
            if (v == null) {
                return OptionalDouble.empty();
            }
            if (!(v instanceof Number n)) {
                throw new FormatException(file, field, v, "must be a number");
            }
            return OptionalDouble.of(n.doubleValue());
        }

        /**
         * {@return a boolean field}
         *
         * @param field the field name, as in the file (or {@code rope_scaling.<key>})
         * @throws FormatException if the field is present with a value of another type
         */
        public Optional<Boolean> bool(String field) {
            Object v = values.get(field);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof Boolean b)) {
                throw new FormatException(file, field, v, "must be true or false");
            }
            return Optional.of(b);
        }

        /**
         * {@return a string field}
         *
         * @param field the field name, as in the file (or {@code rope_scaling.<key>})
         * @throws FormatException if the field is present with a value of another type
         */
        public Optional<String> string(String field) {
            Object v = values.get(field);
            if (v != null && !(v instanceof String)) {
                throw new FormatException(file, field, v, "must be a string");
            }
            return Optional.ofNullable((String) v);
        }

        /**
         * {@return an array of strings (Gemma 3's {@code layer_types})}
         *
         * @param field the field name, as in the file (or {@code rope_scaling.<key>})
         * @throws FormatException if the field is present with a value of another type
         */
        public Optional<List<String>> strings(String field) {
            Object v = values.get(field);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof List<?> list) || !list.stream().allMatch(o -> o instanceof String)) {
                throw new FormatException(file, field, v, "must be an array of strings");
            }
            return Optional.of(list.stream().map(o -> (String) o).toList());
        }

        /**
         * {@return an array of numbers (Phi-3's {@code rope_scaling.short_factor})}
         *
         * @param field the field name, as in the file (or {@code rope_scaling.<key>})
         * @throws FormatException if the field is present with a value of another type
         */
        public Optional<double[]> numbers(String field) {
            Object v = values.get(field);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof List<?> list) || !list.stream().allMatch(o -> o instanceof Number)) {
                throw new FormatException(file, field, v, "must be an array of numbers");
            }
            return Optional.of(list.stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray());
        }

        /**
         * {@return an array of non-negative integers}
         *
         * @param field the field name, as in the file (or {@code rope_scaling.<key>})
         * @throws FormatException if the field is present with a value of another type
         */
        public Optional<List<Integer>> integers(String field) {
            Object v = values.get(field);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof List<?> list)) {
                throw new FormatException(file, field, v, "must be an array of integers");
            }
            List<Integer> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                    throw new FormatException(file, field, v, "must be an array of non-negative integers");
                }
                out.add((int) (long) l);
            }
            return Optional.of(List.copyOf(out));
        }
    }

    /**
     * {@return the width of one attention head: {@code head_dim} if given, else {@code hidden_size /
     * num_attention_heads}}
     */
    public int headDimension() {
        return headDim.orElse(hiddenSize / numAttentionHeads);
    }

    /**
     * {@return true if the q, k and v projections have biases: when {@code attention_bias} says so, and for the
     * qwen2 family, whose configs do not say it but whose checkpoints always have them}
     */
    public boolean hasQkvBias() {
        return attentionBias || modelType.equals("qwen2") || modelType.equals("qwen2_moe");
    }

    /** {@return true for mixture-of-experts models} */
    public boolean isMixtureOfExperts() {
        return numLocalExperts > 0;
    }

    /**
     * {@return reads {@code path} (a config.json, or a directory holding one)}
     *
     * @param path a config.json file, or the model directory holding it
     * @throws FormatException if it is not valid JSON or a required field is missing or wrong
     */
    public static HfConfig read(Path path) {
        return read(path, modelType -> { });
    }

    /**
     * As {@link #read(Path)}, but first hands {@code model_type} to {@code modelTypeCheck}, once the
     * whole object has been read and before required fields are checked. A caller that supports only
     * some model types throws its own exception there, so that e.g. a gpt2 config (whose fields have
     * other names) is rejected for its model type rather than for a missing {@code hidden_size}.
     *
     * @param path           a config.json file, or the model directory holding it
     * @param modelTypeCheck called with {@code model_type}; throws to refuse it
     * @return the config
     * @throws FormatException if it is not valid JSON or a required field is missing or wrong
     */
    public static HfConfig read(Path path, Consumer<String> modelTypeCheck) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        try {
            RegularFiles.require(file, "a config.json file");
            long size = Files.size(file);
            if (size > MAX_CONFIG_BYTES) {
                throw new FormatException(file, "file size", size, "exceeds the config limit of " + MAX_CONFIG_BYTES + " bytes");
            }
            return parse(file, Files.readAllBytes(file), modelTypeCheck);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * {@return parses config JSON; {@code file} names it in errors}
     *
     * @param file the file the bytes came from, for messages
     * @param json the UTF-8 JSON text
     * @throws FormatException if it is not valid JSON or a required field is missing or wrong
     */
    public static HfConfig parse(Path file, byte[] json) {
        return parse(file, json, modelType -> { });
    }

    /**
     * {@return as {@link #parse(Path, byte[])}, with the {@code model_type} check of {@link #read(Path, Consumer)}}
     *
     * @param file           the file the bytes came from, for messages
     * @param json           the UTF-8 JSON text
     * @param modelTypeCheck called with {@code model_type}; throws to refuse it
     * @throws FormatException if it is not valid JSON or a required field is missing or wrong
     */
    public static HfConfig parse(Path file, byte[] json, Consumer<String> modelTypeCheck) {
        Objects.requireNonNull(modelTypeCheck, "modelTypeCheck");
        return new Reader(file).read(json, modelTypeCheck);
    }

    /** One pass over the top-level object, keeping the fields we know. */
    private static final class Reader {
        private final Path file;
        private JsonParser p;
        private String modelType;
        private List<String> architectures = List.of();
        private Integer hiddenSize, intermediateSize, layers, heads, kvHeads, headDim, maxPositions, vocabSize;
        private Integer experts, expertsPerToken;
        private double rmsNormEps = 1e-6;
        private double ropeTheta = 10000;
        private double partialRotaryFactor = 1;
        private RopeScaling ropeScaling, ropeParameters;
        private Double parametersRopeTheta, parametersPartialRotary;
        private boolean tieWordEmbeddings, attentionBias;
        private List<Integer> bos = List.of(), eos = List.of();
        private String hiddenAct, torchDtype;
        private final Map<String, Object> others = new LinkedHashMap<>();

        Reader(Path file) {
            this.file = file;
        }

        HfConfig read(byte[] json, Consumer<String> modelTypeCheck) {
            try (JsonParser parser = Json.parser(file, "config", json, 0)) {
                p = parser;
                next();
                Json.expect(p, JsonToken.START_OBJECT, file, "config", "must be a JSON object");
                while (next() == JsonToken.FIELD_NAME) {
                    String key = Json.name(p, file, "config");
                    if (next() == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    field(key);
                }
                if (next() != null) {
                    throw new FormatException(file, "config after the closing '}'", Json.tokenText(p), "must end there");
                }
            } catch (IOException e) {
                throw Json.syntaxError(file, "config", 0, e);
            }
            if (modelType == null) {
                throw new FormatException(file, "model_type", "missing", "is required");
            }
            modelTypeCheck.accept(modelType);
            return build();
        }

        private JsonToken next() {
            return Json.next(p, file, "config", 0);
        }

        private void field(String key) {
            switch (key) {
                case "model_type" -> modelType = Json.string(p, file, key);
                case "architectures" -> architectures = strings(key);
                case "hidden_size" -> hiddenSize = positive(key);
                case "intermediate_size" -> intermediateSize = positive(key);
                case "num_hidden_layers" -> layers = positive(key);
                case "num_attention_heads" -> heads = positive(key);
                case "num_key_value_heads" -> kvHeads = positive(key);
                case "head_dim" -> headDim = positive(key);
                case "max_position_embeddings" -> maxPositions = positive(key);
                case "vocab_size" -> vocabSize = positive(key);
                case "num_local_experts", "num_experts" -> experts = count(key); // mixtral, qwen2_moe
                case "num_experts_per_tok" -> expertsPerToken = count(key);
                case "rms_norm_eps" -> rmsNormEps = positiveNumber(key);
                case "rope_theta" -> ropeTheta = positiveNumber(key);
                case "rope_scaling" -> ropeScaling = ropeScaling(key);
                case "rope_parameters" -> ropeParameters = ropeParameters(key);
                case "partial_rotary_factor" -> partialRotaryFactor = fraction(key);
                case "tie_word_embeddings" -> tieWordEmbeddings = Json.bool(p, file, key);
                case "attention_bias" -> attentionBias = Json.bool(p, file, key);
                case "bos_token_id" -> bos = tokenIds(key);
                case "eos_token_id" -> eos = tokenIds(key);
                case "hidden_act" -> hiddenAct = Json.string(p, file, key);
                case "torch_dtype" -> torchDtype = Json.string(p, file, key);
                default -> other(key);
            }
        }

        /** Keeps a field of scalars (or an array of scalars) for {@link OtherFields}; skips objects. */
        private void other(String key) {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_ARRAY) {
                List<Object> list = new ArrayList<>();
                boolean scalars = true; // an array holding objects, arrays or nulls is not a field anyone asks for by type
                while (next() != JsonToken.END_ARRAY) {
                    Object v = scalar(key + "[" + list.size() + "]");
                    if (v == null) {
                        scalars = false;
                        Json.skip(p, file, "config", 0);
                    } else {
                        list.add(v);
                    }
                }
                if (scalars) {
                    others.put(key, list);
                }
            } else {
                Object v = scalar(key);
                if (v == null) {
                    Json.skip(p, file, "config", 0);
                } else {
                    others.put(key, v);
                }
            }
        }

        /** The current scalar token, or null if it is not one (or is JSON null inside an array). */
        private Object scalar(String field) {
            return switch (p.currentToken()) {
                case VALUE_NUMBER_INT -> integerOrNumber(field);
                case VALUE_NUMBER_FLOAT -> Json.number(p, file, field);
                case VALUE_TRUE, VALUE_FALSE -> Json.bool(p, file, field);
                case VALUE_STRING -> Json.string(p, file, field);
                default -> null;
            };
        }

        /** An integer as a Long; one beyond 64 bits (no field we read) as a Double rather than a failed file. */
        private Object integerOrNumber(String field) {
            try {
                return Json.integer(p, file, field);
            } catch (FormatException tooBig) {
                return Json.number(p, file, field);
            }
        }

        private int count(String field) {
            long v = Json.nonNegativeLong(p, file, field);
            if (v > Integer.MAX_VALUE) {
                throw new FormatException(file, field, v, "is too large");
            }
            return (int) v;
        }

        private int positive(String field) {
            int v = count(field);
            if (v == 0) {
                throw new FormatException(file, field, 0, "must be positive");
            }
            return v;
        }

        private double positiveNumber(String field) {
            double v = Json.number(p, file, field);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new FormatException(file, field, Json.tokenText(p), "must be a positive finite number");
            }
            return v;
        }

        private double fraction(String field) {
            double v = Json.number(p, file, field);
            if (!(v > 0 && v <= 1)) {
                throw new FormatException(file, field, Json.tokenText(p), "must be in (0, 1]");
            }
            return v;
        }

        private List<String> strings(String field) {
            Json.expect(p, JsonToken.START_ARRAY, file, field, "must be an array of strings");
            List<String> list = new ArrayList<>();
            while (next() != JsonToken.END_ARRAY) {
                list.add(Json.string(p, file, field + "[" + list.size() + "]"));
            }
            return list;
        }

        private List<Integer> tokenIds(String field) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                return List.of(count(field));
            }
            List<Integer> ids = new ArrayList<>();
            while (next() != JsonToken.END_ARRAY) {
                ids.add(count(field + "[" + ids.size() + "]"));
            }
            return ids;
        }

        /** {@code rope_scaling}: one object of RoPE parameters ({@code rope_theta} in it is ignored). */
        private RopeScaling ropeScaling(String field) {
            Json.expect(p, JsonToken.START_OBJECT, file, field, "must be an object");
            RopeFields r = new RopeFields(field, "rope_scaling.");
            while (next() == JsonToken.FIELD_NAME) {
                String key = Json.name(p, file, "config");
                if (next() != JsonToken.VALUE_NULL) {
                    if (key.equals("rope_theta")) {
                        Json.skip(p, file, "config", 0);
                    } else {
                        r.field(key);
                    }
                }
            }
            return r.build();
        }

        /**
         * transformers 5's {@code rope_parameters}: one object of RoPE parameters with its {@code rope_theta}
         * (and {@code partial_rotary_factor}), or one such object per layer type (Gemma 3:
         * {@code full_attention}, {@code sliding_attention}). The {@code full_attention} one is the model's
         * RoPE; the other layer types' fields are kept among the {@link OtherFields} as
         * {@code "rope_parameters.<layer type>.<key>"} (rope_type, rope_theta, factor).
         */
        private RopeScaling ropeParameters(String field) {
            Json.expect(p, JsonToken.START_OBJECT, file, field, "must be an object");
            RopeFields flat = new RopeFields(field, "rope_scaling.");
            RopeScaling full = null;
            boolean perLayerType = false, anyFlat = false;
            while (next() == JsonToken.FIELD_NAME) {
                String key = Json.name(p, file, "config");
                String sub = field + "." + Json.shown(key);
                if (next() == JsonToken.VALUE_NULL) {
                    continue;
                }
                if (p.currentToken() == JsonToken.START_OBJECT) {
                    perLayerType = true;
                    RopeFields layer = new RopeFields(sub, key.equals("full_attention") ? "rope_scaling." : sub + ".");
                    while (next() == JsonToken.FIELD_NAME) {
                        String inner = Json.name(p, file, "config");
                        if (next() != JsonToken.VALUE_NULL) {
                            layer.parametersField(inner);
                        }
                    }
                    RopeScaling scaling = layer.build();
                    if (key.equals("full_attention")) {
                        full = scaling;
                        parametersRopeTheta = layer.theta;
                    } else {
                        others.put(sub + ".rope_type", scaling.type());
                        others.put(sub + ".factor", scaling.factor());
                        if (layer.theta != null) {
                            others.put(sub + ".rope_theta", layer.theta);
                        }
                    }
                } else {
                    anyFlat = true;
                    flat.parametersField(key);
                    if (flat.theta != null) {
                        parametersRopeTheta = flat.theta;
                    }
                }
            }
            if (perLayerType && anyFlat) {
                throw new FormatException(file, field, "an object", "must hold either RoPE parameters or one object of them per layer type, not both");
            }
            if (perLayerType && full == null) {
                throw new FormatException(file, field + ".full_attention", "missing", "per-layer-type rope_parameters need full_attention");
            }
            return perLayerType ? full : flat.build();
        }

        /** The fields of one object of RoPE parameters, as read. */
        private final class RopeFields {
            private final String field, otherPrefix;
            private String type;
            private Double factor, theta;
            private OptionalDouble low = OptionalDouble.empty(), high = OptionalDouble.empty();
            private OptionalInt original = OptionalInt.empty();
            private OptionalDouble betaFast = OptionalDouble.empty(), betaSlow = OptionalDouble.empty(),
                    attentionFactor = OptionalDouble.empty();
            private Optional<Boolean> truncate = Optional.empty();

            /** @param otherPrefix where fields not read here are kept among the others ("rope_scaling.") */
            RopeFields(String field, String otherPrefix) {
                this.field = field;
                this.otherPrefix = otherPrefix;
            }

            /** A field of {@code rope_parameters}: also {@code rope_theta} and {@code partial_rotary_factor}. */
            void parametersField(String key) {
                switch (key) {
                    case "rope_theta" -> theta = positiveNumber(field + ".rope_theta");
                    case "partial_rotary_factor" -> parametersPartialRotary = fraction(field + ".partial_rotary_factor");
                    default -> field(key);
                }
            }

            void field(String key) {
                String sub = field + "." + Json.shown(key);
                switch (key) {
                    case "rope_type", "type" -> {
                        String t = Json.string(p, file, sub);
                        if (type != null && !type.equals(t)) {
                            throw new FormatException(file, sub, Json.quote(t), "contradicts the other type field " + Json.quote(type));
                        }
                        type = t;
                    }
                    case "factor" -> factor = positiveNumber(sub);
                    case "low_freq_factor" -> low = OptionalDouble.of(positiveNumber(sub));
                    case "high_freq_factor" -> high = OptionalDouble.of(positiveNumber(sub));
                    case "original_max_position_embeddings" -> original = OptionalInt.of(positive(sub));
                    case "beta_fast" -> betaFast = OptionalDouble.of(positiveNumber(sub));
                    case "beta_slow" -> betaSlow = OptionalDouble.of(positiveNumber(sub));
                    case "truncate" -> truncate = Optional.of(Json.bool(p, file, sub));
                    case "attention_factor" -> attentionFactor = OptionalDouble.of(positiveNumber(sub));
                    // kept as "rope_scaling.<key>": longrope's short_factor / long_factor, DeepSeek's mscale, ...
                    default -> other(otherPrefix + key);
                }
            }

            RopeScaling build() {
                if (type == null) {
                    throw new FormatException(file, field + ".rope_type", "missing", field + " needs a rope_type (or type)");
                }
                // "default" rope needs no factor; every scaling type has one
                double f = factor != null ? factor : 1.0;
                // longrope's factor is max_position_embeddings / original_max_position_embeddings when absent
                if (factor == null && !type.equals("default") && !type.equals("longrope")) {
                    throw new FormatException(file, field + ".factor", "missing", "rope_scaling of type " + Json.quote(type) + " needs a factor");
                }
                return new RopeScaling(type, f, low, high, original, new Yarn(betaFast, betaSlow, truncate, attentionFactor));
            }
        }

        private int required(Integer value, String field) {
            if (value == null) {
                throw new FormatException(file, field, "missing", "is required");
            }
            return value;
        }

        private HfConfig build() {
            int h = required(hiddenSize, "hidden_size");
            int nHeads = required(heads, "num_attention_heads");
            int nKv = kvHeads != null ? kvHeads : nHeads;
            if (nHeads % nKv != 0) {
                throw new FormatException(file, "num_key_value_heads", nKv, "must divide num_attention_heads = " + nHeads);
            }
            if (headDim == null && h % nHeads != 0) {
                throw new FormatException(file, "num_attention_heads", nHeads,
                        "must divide hidden_size = " + h + " when head_dim is not given");
            }
            int nExperts = experts != null ? experts : 0;
            int perToken = expertsPerToken != null ? expertsPerToken : 0;
            if (perToken > nExperts && nExperts > 0) {
                throw new FormatException(file, "num_experts_per_tok", perToken, "exceeds num_local_experts = " + nExperts);
            }
            if (nExperts > 0 && expertsPerToken != null && perToken == 0) {
                throw new FormatException(file, "num_experts_per_tok", 0, "must be positive when num_local_experts = " + nExperts);
            }
            RopeScaling scaling = ropeParameters != null ? ropeParameters : ropeScaling;
            double theta = parametersRopeTheta != null ? parametersRopeTheta : ropeTheta;
            double rotary = parametersPartialRotary != null ? parametersPartialRotary : partialRotaryFactor;
            return new HfConfig(modelType, architectures, h, required(intermediateSize, "intermediate_size"),
                    required(layers, "num_hidden_layers"), nHeads, nKv,
                    headDim != null ? OptionalInt.of(headDim) : OptionalInt.empty(),
                    required(maxPositions, "max_position_embeddings"), rmsNormEps, theta, Optional.ofNullable(scaling),
                    rotary, required(vocabSize, "vocab_size"), tieWordEmbeddings, nExperts, perToken, attentionBias, bos, eos,
                    Optional.ofNullable(hiddenAct), Optional.ofNullable(torchDtype), new OtherFields(file, others));
        }
    }
}
