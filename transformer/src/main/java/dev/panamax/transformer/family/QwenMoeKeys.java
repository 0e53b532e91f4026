package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufValueType;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.UnsupportedModelException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The GGUF keys and config.json fields the Qwen-MoE families ({@link Qwen2Moe}, {@link Qwen3Moe}) share. */
final class QwenMoeKeys {
    private QwenMoeKeys() {
    }

    /** The experts in words, for {@code inspect}. */
    static String experts(int expertFfn, boolean normalizeTopK) {
        return "SwiGLU experts of " + expertFfn + ", top-k weights " + (normalizeTopK ? "renormalized" : "not renormalized");
    }

    /** The common hyper-parameters of a GGUF file, which must have experts. */
    static ModelConfig ggufCommon(GgufFile file) {
        ModelConfig c = GgufConfigReader.common(file, Rope.Layout.NEOX);
        if (!c.isMoe()) {
            throw new FormatException(file.path(), c.architecture() + ".expert_count", "(absent or 0)",
                    "a " + c.architecture() + " model needs experts");
        }
        return c;
    }

    /**
     * The common hyper-parameters of a config.json whose every layer is sparse, with its experts
     * ({@code num_experts}, required) and {@code defaultUsed} per token where it does not say.
     */
    static ModelConfig hfCommon(Path file, HfConfig config, int defaultUsed) {
        ModelConfig c = HfConfigReader.common(file, config);
        requireEverySparse(file, config);
        int used = config.numExpertsPerTok() > 0 ? config.numExpertsPerTok() : defaultUsed;
        return hfWithExperts(file, config, c, used);
    }

    /** {@code <arch>.expert_feed_forward_length} (one value, or one per layer that must agree); llama.cpp's default ffn / used. */
    static int expertFfn(GgufFile file, ModelConfig c) {
        return perLayerConstant(file, c.architecture() + ".expert_feed_forward_length", c.ffnDim() / c.expertsUsed());
    }

    /** {@code <arch>.expert_shared_feed_forward_length}; llama.cpp's default ffn. */
    static int sharedFfn(GgufFile file, ModelConfig c) {
        return perLayerConstant(file, c.architecture() + ".expert_shared_feed_forward_length", c.ffnDim());
    }

    /** {@code <arch>.expert_weights_norm} if the file says; else the family's (llama.cpp's) fixed choice. */
    static boolean normalize(GgufFile file, boolean familyDefault) {
        String key = file.model().architecture() + ".expert_weights_norm";
        return file.metadata().findBoolean(key).orElse(familyDefault);
    }

    private static int perLayerConstant(GgufFile file, String key, int fallback) {
        var md = file.metadata();
        if (!md.contains(key)) {
            return fallback;
        }
        if (md.typeOf(key) != GgufValueType.ARRAY) {
            return md.getInt(key);
        }
        int[] values = md.getIntArray(key);
        for (int v : values) {
            if (v != values[0]) {
                throw new UnsupportedModelException(file.path() + ": " + key + " differs between layers "
                        + Arrays.toString(values) + " (supported: one width for all layers)");
            }
        }
        return values[0];
    }

    private static int hfExperts(Path file, HfConfig config) {
        if (config.numLocalExperts() == 0) {
            throw new FormatException(file, "num_experts", "(absent or 0)",
                    "a " + config.modelType() + " model needs experts");
        }
        return config.numLocalExperts();
    }

    /** {@code c} with the experts of {@code config}, {@code used} of them per token; a count out of range is a FormatException. */
    private static ModelConfig hfWithExperts(Path file, HfConfig config, ModelConfig c, int used) {
        int experts = hfExperts(file, config);
        try {
            return c.withExperts(experts, used);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "num_experts_per_tok", used, e.getMessage(), e);
        }
    }

    /** transformers makes layer i dense when {@code (i + 1) % decoder_sparse_step != 0} or i is in {@code mlp_only_layers}; llama.cpp does not, nor we. */
    private static void requireEverySparse(Path file, HfConfig config) {
        HfConfig.OtherFields o = config.others();
        int step = o.integer("decoder_sparse_step").orElse(1);
        if (step != 1) {
            throw new UnsupportedModelException(file + ": decoder_sparse_step " + step
                    + " (dense layers between the sparse ones) is not supported; supported: 1");
        }
        List<Integer> dense = o.integers("mlp_only_layers").orElse(List.of());
        if (!dense.isEmpty()) {
            throw new UnsupportedModelException(file + ": mlp_only_layers " + dense + " is not supported; supported: []");
        }
    }
}
