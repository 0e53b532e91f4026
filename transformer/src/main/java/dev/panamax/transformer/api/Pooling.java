package dev.panamax.transformer.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.JsonTree;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.transformer.UnsupportedModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How an embedding model turns the hidden states of a text's tokens into one vector, as GGUF's
 * {@code <arch>.pooling_type} names it (llama.cpp's numbering: 1 mean, 2 CLS, 3 last).
 */
public enum Pooling {
    /** The mean over the tokens (sentence-transformers' default, many BERT models). */
    MEAN,
    /** The first token's state (BERT's [CLS]). */
    CLS,
    /** The last token's state: causal models, where only the last token has seen the whole text (Qwen3-Embedding). */
    LAST;

    /** The GGUF key that names the pooling of {@code architecture}. */
    static String key(String architecture) {
        return architecture + ".pooling_type";
    }

    /**
     * The pooling {@code metadata} names; {@link #LAST} when it names none (a causal model's only
     * state that has seen every token).
     *
     * @throws UnsupportedModelException for "none" (per-token output) and "rank" (a reranker), and unknown values
     */
    static Pooling of(GgufMetadata metadata, String architecture) {
        return of(metadata, architecture, LAST);
    }

    /** As {@link #of(GgufMetadata, String)}, with {@code fallback} when the metadata names none. */
    static Pooling of(GgufMetadata metadata, String architecture, Pooling fallback) {
        String key = key(architecture);
        var value = metadata.findLong(key);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch ((int) value.getAsLong()) {
            case 1 -> MEAN;
            case 2 -> CLS;
            case 3 -> LAST;
            default -> throw new UnsupportedModelException(metadata.file() + ": " + key + " = " + value.getAsLong()
                    + " is not a pooling embed() supports (1 mean, 2 cls, 3 last; 0 none and 4 rank give no one vector per text)");
        };
    }

    /**
     * The pooling of a Hugging Face checkpoint directory laid out by sentence-transformers: the module of
     * {@code modules.json} whose type ends in {@code Pooling}, and its {@code config.json}'s
     * {@code pooling_mode_mean_tokens} / {@code pooling_mode_cls_token} / {@code pooling_mode_lasttoken}
     * (or {@code pooling_mode}: mean, cls, lasttoken), as llama.cpp's converter reads them; {@code fallback}
     * when there is no such module.
     *
     * @throws UnsupportedModelException for another pooling mode (max, weighted mean ...)
     * @throws FormatException if one of the files is malformed
     */
    static Pooling ofCheckpoint(Path dir, Pooling fallback) {
        Path modules = dir.resolve("modules.json");
        if (!Files.isRegularFile(modules)) {
            return fallback;
        }
        if (!(json(modules) instanceof List<?> list)) {
            throw new FormatException(modules, "modules", "(not an array)", "must be a JSON array of modules");
        }
        for (Object m : list) {
            if (m instanceof Map<?, ?> module && module.get("type") instanceof String type && type.endsWith("Pooling")
                    && module.get("path") instanceof String path) {
                Path config = dir.resolve(path).resolve("config.json");
                if (!(json(config) instanceof Map<?, ?> c)) {
                    throw new FormatException(config, "config", "(not an object)", "must be a JSON object");
                }
                if (Boolean.TRUE.equals(c.get("pooling_mode_mean_tokens"))) {
                    return MEAN;
                }
                if (Boolean.TRUE.equals(c.get("pooling_mode_cls_token"))) {
                    return CLS;
                }
                if (Boolean.TRUE.equals(c.get("pooling_mode_lasttoken"))) {
                    return LAST;
                }
                Object mode = c.get("pooling_mode");
                if ("mean".equals(mode) || "cls".equals(mode) || "lasttoken".equals(mode)) {
                    return mode.equals("mean") ? MEAN : mode.equals("cls") ? CLS : LAST;
                }
                throw new UnsupportedModelException(config + ": no pooling mode embed() supports (supported: mean, cls, lasttoken)");
            }
        }
        return fallback;
    }

    private static Object json(Path file) {
        try (JsonParser p = new JsonFactory().createParser(Files.readAllBytes(file))) {
            p.nextToken();
            return JsonTree.read(p);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new FormatException(file, "json", e.getOriginalMessage(), "is not valid JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Pools {@code hidden [n][dim]} into one vector. */
    float[] pool(float[][] hidden) {
        return switch (this) {
            case CLS -> hidden[0].clone();
            case LAST -> hidden[hidden.length - 1].clone();
            case MEAN -> {
                int dim = hidden[0].length;
                double[] sum = new double[dim];
                for (float[] row : hidden) {
                    for (int i = 0; i < dim; i++) {
                        sum[i] += row[i];
                    }
                }
                float[] mean = new float[dim];
                for (int i = 0; i < dim; i++) {
                    mean[i] = (float) (sum[i] / hidden.length);
                }
                yield mean;
            }
        };
    }

    /** {@code v / |v|} in place (left alone if {@code v} is zero); returns {@code v}. */
    static float[] normalize(float[] v) {
        double ss = 0;
        for (float x : v) {
            ss += (double) x * x;
        }
        if (ss > 0) {
            double scale = 1 / Math.sqrt(ss);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * scale);
            }
        }
        return v;
    }
}
