package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.GateActivation;
import dev.panamax.transformer.nn.MixtureOfExperts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen1.5-MoE / Qwen2-MoE: Qwen2's attention (Q/K/V biases) and a sparse feed-forward of routed
 * experts plus a shared expert that sees every token, scaled by {@code sigmoid(x · w_gate)}.
 * Routing: softmax over all experts, top-k, weights not renormalized (unless {@code norm_topk_prob}).
 * Experts are {@code expertFfn} wide, the shared expert {@code sharedFfn}.
 * Reference: transformers' {@code modeling_qwen2_moe.py} ({@code Qwen2MoeSparseMoeBlock}),
 * llama.cpp's {@code src/models/qwen2moe.cpp}.
 *
 * <p>GGUF vs Hugging Face: GGUF stacks the experts ({@code ffn_gate_exps [E, F, dim]}) and stores the
 * shared gate as a vector {@code ffn_gate_inp_shexp [dim]}; Hugging Face has
 * {@code mlp.experts.E.gate_proj} per expert and {@code mlp.shared_expert_gate [1, dim]}. Widths:
 * {@code qwen2moe.expert_feed_forward_length} / {@code moe_intermediate_size} and
 * {@code qwen2moe.expert_shared_feed_forward_length} / {@code shared_expert_intermediate_size}.
 */
public final class Qwen2Moe implements ModelFamily {
    static final String NAME = "qwen2moe";

    static final TensorName ROUTER = TensorName.layer("ffn_gate_inp", "mlp.gate");
    static final TensorName EXPERT_GATE = TensorName.layer("ffn_gate_exps", "mlp.experts.{e}.gate_proj");
    static final TensorName EXPERT_UP = TensorName.layer("ffn_up_exps", "mlp.experts.{e}.up_proj");
    static final TensorName EXPERT_DOWN = TensorName.layer("ffn_down_exps", "mlp.experts.{e}.down_proj");
    static final TensorName SHARED_GATE = TensorName.layer("ffn_gate_shexp", "mlp.shared_expert.gate_proj");
    static final TensorName SHARED_UP = TensorName.layer("ffn_up_shexp", "mlp.shared_expert.up_proj");
    static final TensorName SHARED_DOWN = TensorName.layer("ffn_down_shexp", "mlp.shared_expert.down_proj");
    /** The shared expert's gate: one output, through a sigmoid. */
    static final TensorName SHARED_EXPERT_GATE = TensorName.layer("ffn_gate_inp_shexp", "mlp.shared_expert_gate");

    /** transformers' Qwen2MoeConfig defaults, for fields a config.json leaves out. */
    private static final int HF_DEFAULT_EXPERTS_USED = 4, HF_DEFAULT_EXPERT_FFN = 1408, HF_DEFAULT_SHARED_FFN = 5632;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> ggufArchitectures() {
        return List.of("qwen2moe");
    }

    @Override
    public List<String> hfModelTypes() {
        return List.of("qwen2_moe");
    }

    @Override
    public FamilyConfig fromGguf(GgufFile file) {
        ModelConfig c = GgufConfigReader.common(file, Rope.Layout.NEOX);
        QwenMoeKeys.requireExperts(file, c);
        return new Config(c, QwenMoeKeys.expertFfn(file, c), QwenMoeKeys.sharedFfn(file, c), QwenMoeKeys.normalize(file, false));
    }

    @Override
    public FamilyConfig fromHf(Path file, HfConfig config) {
        ModelConfig c = HfConfigReader.common(file, config);
        QwenMoeKeys.requireEverySparse(file, config);
        int used = config.numExpertsPerTok() > 0 ? config.numExpertsPerTok() : HF_DEFAULT_EXPERTS_USED;
        HfConfig.OtherFields o = config.others();
        return new Config(QwenMoeKeys.hfWithExperts(file, config, c, used),
                o.integer("moe_intermediate_size").orElse(HF_DEFAULT_EXPERT_FFN),
                o.integer("shared_expert_intermediate_size").orElse(HF_DEFAULT_SHARED_FFN),
                o.bool("norm_topk_prob").orElse(false));
    }

    /**
     * @param expertFfn     width of each routed expert
     * @param sharedFfn     width of the shared expert
     * @param normalizeTopK whether the top-k routing weights are renormalized to sum to one
     */
    record Config(ModelConfig common, int expertFfn, int sharedFfn, boolean normalizeTopK) implements FamilyConfig {
        @Override
        public String familyName() {
            return NAME;
        }

        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>(StandardParts.features(common));
            f.add("SwiGLU experts of " + expertFfn + ", top-k weights " + (normalizeTopK ? "renormalized" : "not renormalized"));
            f.add("shared expert of " + sharedFfn + " with a sigmoid gate");
            return f;
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            return StandardParts.decoder(b, c, 1, 1, layer -> StandardParts.preNormBlock(b, c, layer,
                    StandardParts.attention(b, c, layer, rope, false), moe(b, c, layer)));
        }

        private MixtureOfExperts moe(BuildContext b, ModelConfig c, int layer) {
            var shared = new MixtureOfExperts.SharedExpert(
                    StandardParts.gated(b, c.dim(), sharedFfn, layer, SHARED_GATE, SHARED_UP, SHARED_DOWN, GateActivation.SILU),
                    b.weights().rowLinear(SHARED_EXPERT_GATE, layer, c.dim()));
            return routedExperts(b, c, layer, expertFfn, normalizeTopK, shared);
        }
    }

    /** The routed experts of {@code layer} under Qwen-MoE's names, with an optional shared expert. */
    static MixtureOfExperts routedExperts(BuildContext b, ModelConfig c, int layer, int expertFfn, boolean normalize,
                                          MixtureOfExperts.SharedExpert shared) {
        return new MixtureOfExperts(b.ops(), b.scratch(), c.dim(), b.weights().linear(ROUTER, layer, c.expertCount(), c.dim(), false),
                StandardParts.experts(b, c.dim(), expertFfn, c.expertCount(), layer, EXPERT_GATE, EXPERT_UP, EXPERT_DOWN),
                new MixtureOfExperts.Routing(c.expertsUsed(), normalize), shared);
    }
}
