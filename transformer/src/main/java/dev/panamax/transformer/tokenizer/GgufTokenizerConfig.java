package dev.panamax.transformer.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Maps GGUF's {@code tokenizer.ggml.*} metadata to a {@link TokenizerConfig}. The metadata comes as a
 * key lookup returning what a GGUF reader holds (String, Number, Boolean; arrays as {@link List} or
 * primitive arrays; null when absent), so this mapping does not depend on a particular reader.
 */
final class GgufTokenizerConfig {
    private GgufTokenizerConfig() {
    }

    /**
     * The tokenizer configuration in {@code metadata}.
     *
     * @param source names the file in error messages
     * @throws IllegalArgumentException naming the key and value when a key has the wrong type or size
     */
    static TokenizerConfig from(Function<String, Object> metadata, String source) {
        String model = string(metadata, "tokenizer.ggml.model", source);
        if (model == null) {
            throw new IllegalArgumentException(source + ": tokenizer.ggml.model is missing: the file has no tokenizer");
        }
        List<String> tokens = strings(metadata, "tokenizer.ggml.tokens", source);
        if (tokens == null) {
            throw new IllegalArgumentException(source + ": tokenizer.ggml.tokens is missing");
        }
        return TokenizerConfig.builder(model, tokens)
                .pre(string(metadata, "tokenizer.ggml.pre", source))
                .scores(floats(metadata, "tokenizer.ggml.scores", tokens.size(), source))
                .tokenTypes(ints(metadata, "tokenizer.ggml.token_type", tokens.size(), source))
                .merges(strings(metadata, "tokenizer.ggml.merges", source))
                .bos(id(metadata, "tokenizer.ggml.bos_token_id", source))
                .eos(id(metadata, "tokenizer.ggml.eos_token_id", source))
                .unknown(id(metadata, "tokenizer.ggml.unknown_token_id", source))
                .eot(id(metadata, "tokenizer.ggml.eot_token_id", source))
                .eom(id(metadata, "tokenizer.ggml.eom_token_id", source))
                .addBos(bool(metadata, "tokenizer.ggml.add_bos_token", source))
                .addEos(bool(metadata, "tokenizer.ggml.add_eos_token", source))
                .addSpacePrefix(bool(metadata, "tokenizer.ggml.add_space_prefix", source))
                .modelName(string(metadata, "general.name", source))
                .build();
    }

    private static IllegalArgumentException wrongType(String source, String key, Object value, String wanted) {
        String shown = String.valueOf(value);
        if (shown.length() > 80) {
            shown = shown.substring(0, 80) + "...";
        }
        return new IllegalArgumentException(source + ": " + key + " = " + shown + ": expected " + wanted);
    }

    private static String string(Function<String, Object> m, String key, String source) {
        Object v = m.apply(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw wrongType(source, key, v, "a string");
    }

    private static Boolean bool(Function<String, Object> m, String key, String source) {
        Object v = m.apply(key);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw wrongType(source, key, v, "a boolean");
    }

    private static Integer id(Function<String, Object> m, String key, String source) {
        Object v = m.apply(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n && n.longValue() >= 0 && n.longValue() <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw wrongType(source, key, v, "a token id");
    }

    private static List<String> strings(Function<String, Object> m, String key, String source) {
        Object v = m.apply(key);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw wrongType(source, key, v, "an array of strings");
                }
                out.add(s);
            }
            return out;
        }
        if (v instanceof String[] array) {
            return List.of(array);
        }
        throw wrongType(source, key, v, "an array of strings");
    }

    private static float[] floats(Function<String, Object> m, String key, int size, String source) {
        Object v = m.apply(key);
        if (v == null) {
            return null;
        }
        float[] out;
        if (v instanceof float[] a) {
            out = a;
        } else if (v instanceof List<?> list && list.stream().allMatch(o -> o instanceof Number)) {
            out = new float[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) list.get(i)).floatValue();
            }
        } else {
            throw wrongType(source, key, v, "an array of floats");
        }
        if (out.length != size) {
            throw wrongType(source, key, out.length + " entries", size + " entries, one per token");
        }
        return out;
    }

    private static int[] ints(Function<String, Object> m, String key, int size, String source) {
        Object v = m.apply(key);
        if (v == null) {
            return null;
        }
        int[] out;
        if (v instanceof int[] a) {
            out = a;
        } else if (v instanceof List<?> list && list.stream().allMatch(o -> o instanceof Number)) {
            out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) list.get(i)).intValue();
            }
        } else {
            throw wrongType(source, key, v, "an array of integers");
        }
        if (out.length != size) {
            throw wrongType(source, key, out.length + " entries", size + " entries, one per token");
        }
        return out;
    }
}
