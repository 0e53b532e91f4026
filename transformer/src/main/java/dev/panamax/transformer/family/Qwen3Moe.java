package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Decoder;
import java.nio.file.Path;
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
public final class Qwen3Moe extends DescribedFamily {

    /** transformers' Qwen3MoeConfig defaults, for fields a config.json leaves out. */
    private static final int HF_DEFAULT_EXPERTS_USED = 8, HF_DEFAULT_EXPERT_FFN = 768;

    public Qwen3Moe() {
        super("qwen3moe", List.of("qwen3moe"), List.of("qwen3_moe"), readers(Qwen3Moe::readGguf, Qwen3Moe::readHf));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        ModelConfig c = QwenMoeKeys.ggufCommon(file);
        return new Config(c, QwenMoeKeys.expertFfn(file, c), QwenMoeKeys.normalize(file, true));
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        HfConfig.OtherFields o = config.others();
        return new Config(QwenMoeKeys.hfCommon(file, config, HF_DEFAULT_EXPERTS_USED),
                o.integer("moe_intermediate_size").orElse(HF_DEFAULT_EXPERT_FFN), o.bool("norm_topk_prob").orElse(false));
    }

    /**
     * @param expertFfn     width of each routed expert
     * @param normalizeTopK whether the top-k routing weights are renormalized to sum to one
     */
    record Config(ModelConfig common, int expertFfn, boolean normalizeTopK) implements FamilyConfig {
        @Override
        public List<String> features() {
            return StandardParts.features(common, "per-head Q/K RMSNorm before RoPE", QwenMoeKeys.experts(expertFfn, normalizeTopK));
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
