package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.quant.Quants;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeConfig;
import dev.panamax.transformer.RopeScaling;
import dev.panamax.transformer.nn.TransformerBlock;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.FeedForward;
import dev.panamax.transformer.nn.GatedFeedForward;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.MixtureOfExperts;
import dev.panamax.transformer.nn.RmsNorm;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * DeepSeek V2, V2-Lite, V2.5, V3, R1 and Kimi K2 (GGUF {@code deepseek2}; transformers'
 * {@code deepseek_v2}, {@code deepseek_v3}): Llama's pre-norm block with multi-head latent attention
 * ({@link LatentAttention}, whose cache is {@code kv_lora_rank + qk_rope_head_dim} entries per
 * position and layer) and DeepSeekMoE: {@code first_k_dense_replace} dense SwiGLU layers, then routed
 * experts ({@link DeepSeekRouter}) plus ungated shared experts ({@link MixtureOfExperts.SharedExpert} without a gate). References:
 * transformers' {@code modeling_deepseek_v2.py}, {@code modeling_deepseek_v3.py}; llama.cpp's
 * {@code src/models/deepseek2.cpp}.
 *
 * <p>{@link ModelConfig} is read as the latent cache sees it: one KV head of width
 * {@code kv_lora_rank + rope} ({@code kvHeads = 1}, {@code headDim = L + R}); the real head shapes
 * are in {@link Config}.
 *
 * <p>GGUF vs Hugging Face: the same weights. RoPE pairs adjacent entries in both: llama.cpp's
 * converter keeps q_pe/k_pe as they are and ropes them in ggml's normal mode, and transformers'
 * DeepSeek rotates them interleaved (V2: as complex numbers; V3's {@code apply_rotary_pos_emb_interleave},
 * unless {@code rope_interleave} is false). GGUF files written since mid-2025 split {@code attn_kv_b}
 * into {@code attn_k_b} {@code [H, L, N]} (already transposed for the absorbed product) and
 * {@code attn_v_b} {@code [H, V, L]}, and say so with {@code attention.key_length_mla}; older files
 * and Hugging Face checkpoints have the whole {@code kv_b [H(N + V), L]}, whose key part is
 * transposed into F32 at load (H·N·L floats per layer: the one copy this family makes).
 */
public final class DeepSeek2 extends DescribedFamily {

    static final TensorName Q_A = TensorName.layer("attn_q_a", "self_attn.q_a_proj");
    static final TensorName Q_A_NORM = TensorName.layer("attn_q_a_norm", "self_attn.q_a_layernorm");
    static final TensorName Q_B = TensorName.layer("attn_q_b", "self_attn.q_b_proj");
    static final TensorName KV_A = TensorName.layer("attn_kv_a_mqa", "self_attn.kv_a_proj_with_mqa");
    static final TensorName KV_A_NORM = TensorName.layer("attn_kv_a_norm", "self_attn.kv_a_layernorm");
    static final TensorName KV_B = TensorName.layer("attn_kv_b", "self_attn.kv_b_proj");
    static final TensorName K_B = TensorName.layer("attn_k_b", "self_attn.k_b_proj");
    static final TensorName V_B = TensorName.layer("attn_v_b", "self_attn.v_b_proj");
    static final TensorName ROUTER = TensorName.layer("ffn_gate_inp", "mlp.gate");
    /** GGUF {@code blk.N.exp_probs_b.bias}, Hugging Face {@code model.layers.N.mlp.gate.e_score_correction_bias}. */
    static final TensorName ROUTER_BIAS = TensorName.layer("exp_probs_b", "mlp.gate.e_score_correction_bias");
    static final TensorName GATE_EXPS = TensorName.layer("ffn_gate_exps", "mlp.experts.{e}.gate_proj");
    static final TensorName UP_EXPS = TensorName.layer("ffn_up_exps", "mlp.experts.{e}.up_proj");
    static final TensorName DOWN_EXPS = TensorName.layer("ffn_down_exps", "mlp.experts.{e}.down_proj");
    static final TensorName GATE_SHEXP = TensorName.layer("ffn_gate_shexp", "mlp.shared_experts.gate_proj");
    static final TensorName UP_SHEXP = TensorName.layer("ffn_up_shexp", "mlp.shared_experts.up_proj");
    static final TensorName DOWN_SHEXP = TensorName.layer("ffn_down_shexp", "mlp.shared_experts.down_proj");

    public DeepSeek2() {
        super("deepseek2", List.of("deepseek2"), List.of("deepseek_v2", "deepseek_v3", "kimi_k2"), readers(DeepSeek2::readGguf, DeepSeek2::readHf));
    }

    /**
     * @param qLoraRank  0 without the low-rank query path (V2-Lite)
     * @param kvLoraRank L
     * @param nopeDim    N ({@code qk_nope_head_dim})
     * @param ropeDim    R ({@code qk_rope_head_dim})
     * @param valueDim   V ({@code v_head_dim})
     */
    record Mla(int qLoraRank, int kvLoraRank, int nopeDim, int ropeDim, int valueDim) {}

    /**
     * @param denseLeading layers with a dense feed-forward before the first mixture
     * @param expertFfn    width of one routed (and one shared) expert
     * @param shared       shared experts (0: none)
     * @param groups       expert groups (1: no group limit)
     * @param scale        {@code routed_scaling_factor}
     */
    record Moe(int denseLeading, int experts, int used, int expertFfn, int shared, DeepSeekRouter.Gating gating, int groups,
               int groupsUsed, DeepSeekRouter.GroupScore groupScore, boolean normalize, double scale) {}

    private static FamilyConfig readGguf(GgufFile file) {
        GgufMetadata m = file.metadata();
        Path path = file.path();
        String a = "deepseek2.";
        int dim = positive(path, a + "embedding_length", m.getInt(a + "embedding_length"));
        // block_count includes the multi-token-prediction blocks (nextn_predict_layers), which generation does not run
        int nextn = count(m, a + "nextn_predict_layers", 0);
        int layers = positive(path, a + "block_count - nextn_predict_layers", m.getInt(a + "block_count") - nextn);
        int heads = positive(path, a + "attention.head_count", m.getInt(a + "attention.head_count"));
        boolean split = m.contains(a + "attention.key_length_mla");
        String kKey = a + (split ? "attention.key_length_mla" : "attention.key_length");
        String vKey = a + (split ? "attention.value_length_mla" : "attention.value_length");
        int qkDim = positive(path, kKey, m.getInt(kKey));
        int vDim = positive(path, vKey, m.getInt(vKey));
        int rope = positive(path, a + "rope.dimension_count", m.getInt(a + "rope.dimension_count"));
        int kvLora = positive(path, a + "attention.kv_lora_rank", m.getInt(a + "attention.kv_lora_rank"));
        int qLora = m.contains(a + "attention.q_lora_rank") ? m.getInt(a + "attention.q_lora_rank") : 0;
        if (split && (m.getInt(a + "attention.key_length") != kvLora + rope || m.getInt(a + "attention.value_length") != kvLora)) {
            throw new FormatException(path, a + "attention.key_length", m.getInt(a + "attention.key_length"),
                    "with key_length_mla the key length must be kv_lora_rank + rope = " + (kvLora + rope)
                            + " and value_length kv_lora_rank = " + kvLora);
        }
        Mla mla = mla(path, qLora, kvLora, qkDim, rope, vDim, kKey);
        int experts = count(m, a + "expert_count", 0);
        int used = count(m, a + "expert_used_count", 0);
        int gatingCode = count(m, a + "expert_gating_func", 1);
        DeepSeekRouter.Gating gating = switch (gatingCode) {
            case 0, 1 -> DeepSeekRouter.Gating.SOFTMAX;
            case 2 -> DeepSeekRouter.Gating.SIGMOID;
            default -> throw new UnsupportedModelException(path + ": " + a + "expert_gating_func = " + gatingCode
                    + " is not supported (supported: 1 softmax, 2 sigmoid)");
        };
        float scale = m.findFloat(a + "expert_weights_scale").orElse(1f);
        Moe moe = moe(path, a, layers, count(m, a + "leading_dense_block_count", 0), experts, used,
                count(m, a + "expert_feed_forward_length", 0), count(m, a + "expert_shared_count", 0), gating,
                Math.max(1, count(m, a + "expert_group_count", 1)), Math.max(1, count(m, a + "expert_group_used_count", 1)),
                DeepSeekRouter.GroupScore.TOP2_SUM, m.findBoolean(a + "expert_weights_norm").orElse(false), scale == 0 ? 1 : scale);
        double theta = m.findFloat(a + "rope.freq_base").orElse(10000f);
        String type = m.findString(a + "rope.scaling.type").orElse("none");
        RopeScaling scaling = switch (type) {
            case "none" -> new RopeScaling.None();
            case "yarn" -> {
                double factor = m.findFloat(a + "rope.scaling.factor").orElseThrow(() ->
                        new FormatException(path, a + "rope.scaling.factor", "(absent)", "yarn scaling needs a factor"));
                // the converter stores 0.1 · mscale_all_dim; llama.cpp takes mscale = mscale_all_dim
                double logMul = m.findFloat(a + "rope.scaling.yarn_log_multiplier").orElse(0f) / 0.1;
                yield yarn(path, a + "rope.scaling.*", factor, count(m, a + "rope.scaling.original_context_length", 4096),
                        m.findFloat(a + "rope.scaling.yarn_beta_fast").orElse(32f), m.findFloat(a + "rope.scaling.yarn_beta_slow").orElse(1f),
                        logMul, logMul);
            }
            default -> throw new UnsupportedModelException(path + ": " + a + "rope.scaling.type '" + type
                    + "' is not supported for deepseek2 (supported: none, yarn)");
        };
        int vocab = m.contains(a + "vocab_size") ? m.getInt(a + "vocab_size") : file.model().vocabSize();
        ModelConfig common = common(path, "deepseek2", dim, count(m, a + "feed_forward_length", 0), layers, heads, mla, vocab,
                positive(path, a + "context_length", m.getInt(a + "context_length")),
                m.getFloat(a + "attention.layer_norm_rms_epsilon"), new RopeConfig(Rope.Layout.INTERLEAVED, rope, theta, scaling),
                file.findTensorInfo("output.weight").isEmpty(), moe);
        return new Config(common, mla, moe);
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        HfConfig.OtherFields j = config.others();
        int layers = config.numHiddenLayers();
        int rope = required(j, "qk_rope_head_dim");
        Mla mla = mla(file, j.integer("q_lora_rank").orElse(0), positive(file, "kv_lora_rank", required(j, "kv_lora_rank")),
                required(j, "qk_nope_head_dim") + rope, rope, positive(file, "v_head_dim", required(j, "v_head_dim")),
                "qk_nope_head_dim");
        boolean v3 = !config.modelType().equals("deepseek_v2");
        String scoring = j.string("scoring_func").orElse(v3 ? "sigmoid" : "softmax");
        DeepSeekRouter.Gating gating = switch (scoring) {
            case "softmax" -> DeepSeekRouter.Gating.SOFTMAX;
            case "sigmoid" -> DeepSeekRouter.Gating.SIGMOID;
            default -> throw new UnsupportedModelException(file + ": scoring_func '" + scoring + "' is not supported (softmax, sigmoid)");
        };
        String method = j.string("topk_method").orElse(v3 ? "noaux_tc" : "greedy");
        boolean grouped = !method.equals("greedy");
        if (!List.of("greedy", "group_limited_greedy", "noaux_tc").contains(method)) {
            throw new UnsupportedModelException(file + ": topk_method '" + method + "' is not supported"
                    + " (greedy, group_limited_greedy, noaux_tc)");
        }
        if (j.integer("moe_layer_freq").orElse(1) != 1) {
            throw new UnsupportedModelException(file + ": moe_layer_freq = " + j.integer("moe_layer_freq").getAsInt() + " (supported: 1)");
        }
        boolean normalize = j.bool("norm_topk_prob").orElse(false);
        double scale = j.number("routed_scaling_factor").orElse(1);
        if (!v3 && normalize) {
            scale = 1; // DeepseekV2MoEGate scales only weights it does not normalize
        }
        int experts = j.integer("n_routed_experts").orElse(0);
        Moe moe = moe(file, "", layers, j.integer("first_k_dense_replace").orElse(0), experts, config.numExpertsPerTok(),
                j.integer("moe_intermediate_size").orElse(0), j.integer("n_shared_experts").orElse(0), gating,
                grouped ? Math.max(1, j.integer("n_group").orElse(1)) : 1, grouped ? Math.max(1, j.integer("topk_group").orElse(1)) : 1,
                method.equals("group_limited_greedy") ? DeepSeekRouter.GroupScore.MAX : DeepSeekRouter.GroupScore.TOP2_SUM, normalize, scale);
        String type = config.ropeScaling().map(HfConfig.RopeScaling::type).orElse("default");
        if (!type.equals("default") && !type.equals("yarn")) {
            throw new UnsupportedModelException(file + ": rope_scaling type '" + type + "' is not supported for "
                    + config.modelType() + " (supported: default, yarn)");
        }
        RopeScaling scaling = HfConfigReader.ropeScaling(file, config);
        if (scaling instanceof RopeScaling.Yarn y && y.factor() == 1) {
            scaling = new RopeScaling.None();
        }
        Rope.Layout layout = j.bool("rope_interleave").orElse(true) ? Rope.Layout.INTERLEAVED : Rope.Layout.NEOX;
        ModelConfig common = common(file, config.modelType(), config.hiddenSize(), config.intermediateSize(), layers,
                config.numAttentionHeads(), mla, config.vocabSize(), config.maxPositionEmbeddings(), (float) config.rmsNormEps(),
                new RopeConfig(layout, rope, config.ropeTheta(), scaling), config.tieWordEmbeddings(), moe);
        return new Config(common, mla, moe);
    }

    private static int required(HfConfig.OtherFields fields, String key) {
        return fields.integer(key).orElseThrow(() -> new FormatException(fields.file(), key, "(absent)", "the model needs this field"));
    }

    private static int positive(Path file, String key, int value) {
        if (value <= 0) {
            throw new FormatException(file, key, value, "must be positive");
        }
        return value;
    }

    private static int count(GgufMetadata m, String key, int fallback) {
        if (!m.contains(key)) {
            return fallback;
        }
        long v = m.getLong(key);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new FormatException(m.file(), key, v, "must be a count");
        }
        return (int) v;
    }

    private static Mla mla(Path file, int qLora, int kvLora, int qkDim, int rope, int vDim, String qkKey) {
        if (rope <= 0 || rope % 2 != 0) {
            throw new FormatException(file, "rope dimension (qk_rope_head_dim)", rope, "must be a positive even number");
        }
        if (qkDim <= rope) {
            throw new FormatException(file, qkKey, qkDim, "must exceed the RoPE dimensions " + rope
                    + " (query/key heads = nope + rope entries)");
        }
        if (qLora < 0 || kvLora <= 0) {
            throw new FormatException(file, "kv_lora_rank", kvLora, "must be positive (q_lora_rank " + qLora + ")");
        }
        return new Mla(qLora, kvLora, qkDim - rope, rope, vDim);
    }

    private static Moe moe(Path file, String prefix, int layers, int dense, int experts, int used, int expertFfn, int shared,
                           DeepSeekRouter.Gating gating, int groups, int groupsUsed, DeepSeekRouter.GroupScore groupScore,
                           boolean normalize, double scale) {
        boolean hf = prefix.isEmpty();
        if (dense > layers) {
            throw new FormatException(file, hf ? "first_k_dense_replace" : prefix + "leading_dense_block_count", dense,
                    "exceeds the " + layers + " layers");
        }
        if (dense < layers) {
            if (experts <= 0) {
                throw new FormatException(file, hf ? "n_routed_experts" : prefix + "expert_count", experts,
                        "must be positive for the mixture-of-experts layers " + dense + ".." + (layers - 1));
            }
            if (used < 1 || used > experts) {
                throw new FormatException(file, hf ? "num_experts_per_tok" : prefix + "expert_used_count", used,
                        "must be in 1.." + experts + " (the expert count)");
            }
            if (expertFfn <= 0) {
                throw new FormatException(file, hf ? "moe_intermediate_size" : prefix + "expert_feed_forward_length", expertFfn,
                        "must be positive");
            }
            if (experts % groups != 0) {
                throw new FormatException(file, hf ? "n_group" : prefix + "expert_group_count", groups,
                        "does not divide the " + experts + " experts");
            }
            if (groupsUsed > groups || used > groupsUsed * (experts / groups)) {
                throw new FormatException(file, hf ? "topk_group" : prefix + "expert_group_used_count", groupsUsed,
                        "must be in 1.." + groups + " groups, holding at least the " + used + " experts used");
            }
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new FormatException(file, hf ? "routed_scaling_factor" : prefix + "expert_weights_scale", scale,
                        "must be positive and finite");
            }
        }
        return new Moe(dense, experts, used, expertFfn, shared, gating, groups, groupsUsed, groupScore, normalize, scale);
    }

    /** DeepSeek's YaRN from GGUF: always truncated, {@code mscale = mscale_all_dim} (llama.cpp's reading); factor 1 is none. */
    private static RopeScaling yarn(Path file, String key, double factor, int originalContext, double betaFast, double betaSlow,
                                    double mscale, double mscaleAllDim) {
        try {
            return factor == 1 ? new RopeScaling.None()
                    : RopeScaling.Yarn.of(factor, originalContext, betaFast, betaSlow, true, mscale, mscaleAllDim, OptionalDouble.empty());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, key, factor, e.getMessage(), e);
        }
    }

    private static ModelConfig common(Path file, String arch, int dim, int ffn, int layers, int heads, Mla mla, int vocab, int context,
                                      float eps, RopeConfig rope, boolean tied, Moe moe) {
        if (moe.denseLeading() > 0 && ffn <= 0) {
            throw new FormatException(file, "feed_forward_length (intermediate_size)", ffn, "must be positive for the dense layers");
        }
        try {
            boolean anyMoe = moe.denseLeading() < layers;
            return new ModelConfig(arch, dim, ffn > 0 ? ffn : moe.expertFfn(), layers, heads, 1, mla.kvLoraRank() + mla.ropeDim(),
                    vocab, context, eps, rope, false, tied, anyMoe ? moe.experts() : 0, anyMoe ? moe.used() : 0);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "config", arch, e.getMessage(), e);
        }
    }

    record Config(ModelConfig common, Mla mla, Moe moe) implements FamilyConfig {
        @Override
        public boolean valuesAreKeys() {
            return true;
        }

        /** Softmax scale {@code 1/sqrt(N + R)}, times YaRN's {@code mscale(mscale_all_dim)²}. */
        float softmaxScale() {
            double s = 1 / Math.sqrt(mla.nopeDim() + mla.ropeDim());
            if (common.rope().scaling() instanceof RopeScaling.Yarn y) {
                s *= y.softmaxGain();
            }
            return (float) s;
        }

        /** Entries of cache per position and layer: ours (the latent) and a naive cache's (every head's K and V). */
        long latentEntries() {
            return mla.kvLoraRank() + mla.ropeDim();
        }

        long naiveEntries() {
            return (long) common.heads() * (mla.nopeDim() + mla.ropeDim() + mla.valueDim());
        }

        /** Weights one token reads: everything but the routed experts it is not sent to (and the embedding table, of which one row). */
        long activeParameters() {
            return parameters(moe.used());
        }

        long totalParameters() {
            return parameters(moe.experts());
        }

        private long parameters(int routedExperts) {
            ModelConfig c = common;
            long d = c.dim(), h = c.heads();
            long q = mla.qLoraRank() > 0 ? d * mla.qLoraRank() + (long) mla.qLoraRank() * h * (mla.nopeDim() + mla.ropeDim())
                    : d * h * (mla.nopeDim() + mla.ropeDim());
            long attn = q + d * (mla.kvLoraRank() + mla.ropeDim()) + mla.kvLoraRank() * h * (mla.nopeDim() + mla.valueDim())
                    + h * mla.valueDim() * d;
            long dense = 3 * d * c.ffnDim();
            long sparse = 3 * d * moe.expertFfn() * (routedExperts + moe.shared()) + d * moe.experts();
            long layers = moe.denseLeading() * (attn + dense) + (c.layers() - moe.denseLeading()) * (attn + sparse);
            return layers + (long) c.vocabSize() * d;
        }

        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>();
            f.add("multi-head latent attention: " + common.heads() + " heads, q/k " + mla.nopeDim() + " + " + mla.ropeDim() + " RoPE, v "
                    + mla.valueDim() + (mla.qLoraRank() > 0 ? ", q LoRA rank " + mla.qLoraRank() : ", plain q projection")
                    + ", kv LoRA rank " + mla.kvLoraRank());
            f.add("latent KV cache: " + latentEntries() + " entries per position and layer (a naive cache: " + naiveEntries()
                    + "), " + 2 * latentEntries() * common.layers() + " bytes per token in F16");
            f.add(common.rope().layout() + " RoPE over " + mla.ropeDim() + " dims, theta " + common.rope().theta()
                    + (common.rope().scaling() instanceof RopeScaling.None ? "" : ", " + common.rope().scaling()));
            f.add(common.tiedEmbeddings() ? "output tied to the embedding" : "own output matrix");
            if (moe.denseLeading() < common.layers()) {
                f.add(moe.denseLeading() + " dense layers, then " + moe.experts() + " routed experts (" + moe.used() + " per token, "
                        + moe.gating().name().toLowerCase() + " gating"
                        + (moe.groups() > 1 ? ", best " + moe.groupsUsed() + " of " + moe.groups() + " groups" : "")
                        + (moe.normalize() ? ", normalized" : "") + (moe.scale() != 1 ? ", scaled by " + moe.scale() : "")
                        + ") + " + moe.shared() + " shared");
            }
            f.add("per token: " + activeParameters() + " of " + totalParameters() + " parameters read (weights memory-mapped, not copied)");
            return f;
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            float ropeFactor = c.rope().scaling() instanceof RopeScaling.Yarn y ? (float) (y.attentionFactor() * y.attentionFactor()) : 1f;
            LatentAttention.Shape shape = new LatentAttention.Shape(c.heads(), mla.nopeDim(), mla.ropeDim(), mla.valueDim(),
                    mla.kvLoraRank(), softmaxScale(), ropeFactor);
            WeightLoader w = b.weights();
            LatentAttention.Buffers buffers = new LatentAttention.Buffers(b.scratch(), shape, mla.qLoraRank());
            return StandardParts.decoder(b, c, 1, 1, layer -> new TransformerBlock(b.ops(), b.scratch(), c.dim(),
                    w.rmsNorm(StandardParts.ATTN_NORM, layer, c.dim(), c.rmsEps()), attention(b, c, layer, shape, buffers, rope),
                    w.rmsNorm(StandardParts.FFN_NORM, layer, c.dim(), c.rmsEps()), feedForward(b, c, layer)));
        }

        private LatentAttention attention(BuildContext b, ModelConfig c, int layer, LatentAttention.Shape s, LatentAttention.Buffers buffers,
                                          Rope rope) {
            WeightLoader w = b.weights();
            int h = s.heads(), qk = s.nopeDim() + s.ropeDim(), l = s.latentRank();
            Linear qA = null, qB;
            RmsNorm qANorm = null;
            if (mla.qLoraRank() > 0) {
                qA = w.linear(Q_A, layer, mla.qLoraRank(), c.dim(), false);
                qANorm = w.rmsNorm(Q_A_NORM, layer, mla.qLoraRank(), c.rmsEps());
                qB = w.linear(Q_B, layer, (long) h * qk, mla.qLoraRank(), false);
            } else {
                qB = w.linear(StandardParts.ATTN_Q, layer, (long) h * qk, c.dim(), false);
            }
            Tensor[] kvB = w.has(K_B, layer)
                    // GGUF stacks them like experts: attn_k_b [H, L, N], attn_v_b [H, V, L]
                    ? new Tensor[] {w.stacked(K_B, layer, h, l, s.nopeDim()), w.stacked(V_B, layer, h, s.valueDim(), l)}
                    : splitKvB(b, layer, s);
            Tensor kB = kvB[0], vB = kvB[1];
            return new LatentAttention(b.ops(), buffers, rope, qA, qANorm, qB,
                    w.linear(KV_A, layer, l + s.ropeDim(), c.dim(), false), w.rmsNorm(KV_A_NORM, layer, l, c.rmsEps()), kB, vB,
                    w.linear(StandardParts.ATTN_OUTPUT, layer, c.dim(), (long) h * s.valueDim(), false), b.cache().keys(layer));
        }

        /**
         * The whole {@code kv_b [H(N + V), L]}: per head, rows {@code [h(N+V), h(N+V) + N)} are W_kb,h
         * (transposed here into one F32 {@code [H, L, N]}, dequantized if need be) and the next V rows
         * are W_vb,h (a view {@code [H, V, L]} with heads N + V rows apart).
         */
        private Tensor[] splitKvB(BuildContext b, int layer, LatentAttention.Shape s) {
            WeightLoader w = b.weights();
            int h = s.heads(), n = s.nopeDim(), v = s.valueDim(), l = s.latentRank();
            Tensor kv = w.matrix(KV_B, layer, (long) h * (n + v), l);
            Tensor host = w.find(KV_B, layer, ".weight").orElseThrow();
            Arena arena = Arena.ofAuto(); // lives as long as the tensors made from it
            Tensor f32 = host.dtype().isQuantized() ? Quants.dequantize(arena, host) : host.to(arena, DType.F32);
            Tensor kB = Tensor.allocate(arena, DType.F32, h, l, n);
            for (int i = 0; i < h; i++) {
                Tensor t = f32.narrow(0, (long) i * (n + v), n).transpose(0, 1).contiguous(arena);
                java.lang.foreign.MemorySegment.copy(t.segment(), t.byteOffset(), kB.segment(), kB.byteOffset() + 4L * i * l * n, 4L * l * n);
            }
            return new Tensor[] {b.ops().upload(arena, kB), kv.reshape(h, n + v, l).narrow(1, n, v)};
        }

        private FeedForward feedForward(BuildContext b, ModelConfig c, int layer) {
            if (layer < moe.denseLeading()) {
                return StandardParts.swiglu(b, c, layer);
            }
            WeightLoader w = b.weights();
            int e = moe.experts();
            float[] bias = w.find(ROUTER_BIAS, layer, w.format() == TensorFormat.GGUF ? ".bias" : "")
                    .map(t -> {
                        if (t.numel() != e) {
                            throw new FormatException(w.file(), ROUTER_BIAS.in(w.format(), layer, ""),
                                    java.util.Arrays.toString(t.shape()), "expected " + e + " entries");
                        }
                        return t.toFloatArray();
                    }).orElse(null);
            DeepSeekRouter router = new DeepSeekRouter(e, moe.used(), moe.gating(), bias, moe.groups(), moe.groupsUsed(),
                    moe.groupScore(), moe.normalize(), moe.scale());
            List<GatedFeedForward> experts = StandardParts.experts(b, c.dim(), moe.expertFfn(), e, layer, GATE_EXPS, UP_EXPS, DOWN_EXPS);
            // the shared experts (one SwiGLU of n_shared · moe_ffn width) see every token ungated: routed(x) + shared(x)
            MixtureOfExperts.SharedExpert shared = moe.shared() == 0 ? null : new MixtureOfExperts.SharedExpert(
                    StandardParts.gated(b, c.dim(), moe.expertFfn() * moe.shared(), layer, GATE_SHEXP, UP_SHEXP, DOWN_SHEXP,
                            dev.panamax.transformer.nn.GateActivation.SILU), null);
            return new MixtureOfExperts(b.ops(), b.scratch(), c.dim(), w.linear(ROUTER, layer, e, c.dim(), false), experts, router,
                    shared);
        }
    }
}
