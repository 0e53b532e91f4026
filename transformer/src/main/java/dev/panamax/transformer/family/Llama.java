package dev.panamax.transformer.family;

import dev.panamax.tensor.Rope;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.FeedForward;
import dev.panamax.transformer.nn.MixtureOfExperts;
import java.util.List;

/**
 * Llama 2/3 (and Mistral, Mixtral, TinyLlama, SmolLM...): the pre-norm block of
 * {@link dev.panamax.transformer.TransformerBlock} with SwiGLU, or Mixtral's top-k experts.
 * Reference: transformers' {@code modeling_llama.py} / {@code modeling_mixtral.py}, llama.cpp's
 * {@code src/models/llama.cpp}.
 *
 * <p>GGUF vs Hugging Face: llama.cpp's converter permutes the Q and K rows so that adjacent pairs
 * rotate together, hence {@link Rope.Layout#INTERLEAVED} for GGUF and {@link Rope.Layout#NEOX} for
 * Hugging Face; GGUF stacks the experts ({@code ffn_gate_exps} {@code [E, F, dim]}), Hugging Face
 * stores {@code block_sparse_moe.experts.E.w1/w3/w2}. Llama 3's RoPE scaling comes as
 * {@code rope_freqs.weight} in GGUF and {@code rope_scaling} in config.json.
 */
public final class Llama extends DescribedFamily {
    /** Mixtral's router and experts: {@code w1} is the gate, {@code w3} up, {@code w2} down. */
    static final TensorName ROUTER = TensorName.layer("ffn_gate_inp", "block_sparse_moe.gate");
    static final TensorName EXPERT_GATE = TensorName.layer("ffn_gate_exps", "block_sparse_moe.experts.{e}.w1");
    static final TensorName EXPERT_UP = TensorName.layer("ffn_up_exps", "block_sparse_moe.experts.{e}.w3");
    static final TensorName EXPERT_DOWN = TensorName.layer("ffn_down_exps", "block_sparse_moe.experts.{e}.w2");

    public Llama() {
        // Mixtral's GGUF files say "llama"
        super("llama", List.of("llama", "mistral"), List.of("llama", "mistral", "mixtral"), common(Rope.Layout.INTERLEAVED, Config::new));
    }

    /** Llama needs nothing beyond the common hyper-parameters. */
    record Config(ModelConfig common) implements FamilyConfig {
        @Override
        public List<String> features() {
            return StandardParts.features(common, common.isMoe() ? "SwiGLU experts, top-k weights renormalized" : "SwiGLU feed-forward");
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            return StandardParts.decoder(b, c, 1, 1, layer -> StandardParts.preNormBlock(b, c, layer,
                    StandardParts.attention(b, c, layer, rope, false), feedForward(b, c, layer)));
        }

        private static FeedForward feedForward(BuildContext b, ModelConfig c, int layer) {
            if (!c.isMoe()) {
                return StandardParts.swiglu(b, c, layer);
            }
            return new MixtureOfExperts(b.ops(), b.scratch(), c.dim(),
                    b.weights().linear(ROUTER, layer, c.expertCount(), c.dim(), false),
                    StandardParts.experts(b, c.dim(), c.ffnDim(), c.expertCount(), layer, EXPERT_GATE, EXPERT_UP, EXPERT_DOWN),
                    new MixtureOfExperts.Routing(c.expertsUsed(), true), null);
        }
    }
}
