package dev.panamax.transformer.api;

import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.transformer.UnsupportedModelException;

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
        String key = key(architecture);
        var value = metadata.findLong(key);
        if (value.isEmpty()) {
            return LAST;
        }
        return switch ((int) value.getAsLong()) {
            case 1 -> MEAN;
            case 2 -> CLS;
            case 3 -> LAST;
            default -> throw new UnsupportedModelException(metadata.file() + ": " + key + " = " + value.getAsLong()
                    + " is not a pooling embed() supports (1 mean, 2 cls, 3 last; 0 none and 4 rank give no one vector per text)");
        };
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
