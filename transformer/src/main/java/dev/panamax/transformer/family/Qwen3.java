package dev.panamax.transformer.family;

import dev.panamax.tensor.Rope;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Decoder;
import java.util.List;

/**
 * Qwen3 (dense): Llama's block without Q/K/V biases, with an RMSNorm over each head of Q and of K
 * ({@code q_norm}, {@code k_norm}, gains {@code [headDim]}) before RoPE; the head dimension is its
 * own hyper-parameter ({@code head_dim}, GGUF {@code qwen3.attention.key_length}: 128 for every
 * size, so {@code heads · headDim} need not be {@code dim}). Small sizes tie the output.
 * Reference: transformers' {@code modeling_qwen3.py} ({@code Qwen3Attention}), llama.cpp's
 * {@code src/models/qwen3.cpp}.
 *
 * <p>GGUF vs Hugging Face: the same layout, {@link Rope.Layout#NEOX} RoPE in both;
 * {@code blk.N.attn_q_norm} is {@code model.layers.N.self_attn.q_norm}.
 */
public final class Qwen3 extends DescribedFamily {
    public Qwen3() {
        super("qwen3", List.of("qwen3"), List.of("qwen3"), common(Rope.Layout.NEOX, Config::new));
    }

    record Config(ModelConfig common) implements FamilyConfig {
        @Override
        public List<String> features() {
            return StandardParts.features(common, "per-head Q/K RMSNorm before RoPE", "SwiGLU feed-forward");
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            return StandardParts.decoder(b, c, 1, 1, layer -> StandardParts.preNormBlock(b, c, layer,
                    StandardParts.attention(b, c, layer, rope, true), StandardParts.swiglu(b, c, layer)));
        }
    }
}
