package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Decoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen3-MoE (Qwen3-30B-A3B, ...): Qwen3's attention (no biases, per-head Q/K RMSNorm, own head
 * dimension) and routed experts without a shared one; the top-k routing weights are renormalized
 * when {@code norm_topk_prob} (which every released config sets; llama.cpp always renormalizes).
 * Reference: transformers' {@code modeling_qwen3_moe.py} ({@code Qwen3MoeSparseMoeBlock}),
 * llama.cpp's {@code src/models/qwen3moe.cpp}.
 *
 * <p>GGUF vs Hugging Face: as {@link Qwen2Moe} without the shared expert; the expert width is
 * {@code qwen3moe.expert_feed_forward_length} / {@code moe_intermediate_size}.
 */
public final class Qwen3Moe implements ModelFamily {
    static final String NAME = "qwen3moe";

    /** transformers' Qwen3MoeConfig defaults, for fields a config.json leaves out. */
    private static final int HF_DEFAULT_EXPERTS_USED = 8, HF_DEFAULT_EXPERT_FFN = 768;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> ggufArchitectures() {
        return List.of("qwen3moe");
    }

    @Override
    public List<String> hfModelTypes() {
        return List.of("qwen3_moe");
    }

    @Override
    public FamilyConfig fromGguf(GgufFile file) {
        ModelConfig c = GgufConfigReader.common(file, Rope.Layout.NEOX);
        QwenMoeKeys.requireExperts(file, c);
        return new Config(c, QwenMoeKeys.expertFfn(file, c), QwenMoeKeys.normalize(file, true));
    }

    @Override
    public FamilyConfig fromHf(Path file, HfConfig config) {
        ModelConfig c = HfConfigReader.common(file, config);
        QwenMoeKeys.requireEverySparse(file, config);
        int used = config.numExpertsPerTok() > 0 ? config.numExpertsPerTok() : HF_DEFAULT_EXPERTS_USED;
        HfConfig.OtherFields o = config.others();
        return new Config(QwenMoeKeys.hfWithExperts(file, config, c, used),
                o.integer("moe_intermediate_size").orElse(HF_DEFAULT_EXPERT_FFN), o.bool("norm_topk_prob").orElse(false));
    }

    /**
     * @param expertFfn     width of each routed expert
     * @param normalizeTopK whether the top-k routing weights are renormalized to sum to one
     */
    record Config(ModelConfig common, int expertFfn, boolean normalizeTopK) implements FamilyConfig {
        @Override
        public String familyName() {
            return NAME;
        }

        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>(StandardParts.features(common));
            f.add("per-head Q/K RMSNorm before RoPE");
            f.add("SwiGLU experts of " + expertFfn + ", top-k weights " + (normalizeTopK ? "renormalized" : "not renormalized"));
            return f;
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            return StandardParts.decoder(b, c, 1, 1, layer -> StandardParts.preNormBlock(b, c, layer,
                    StandardParts.attention(b, c, layer, rope, true),
                    Qwen2Moe.routedExperts(b, c, layer, expertFfn, normalizeTopK, null)));
        }
    }
}
