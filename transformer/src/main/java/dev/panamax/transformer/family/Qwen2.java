package dev.panamax.transformer.family;

import dev.panamax.tensor.Rope;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Decoder;
import java.util.List;

/**
 * Qwen2 and Qwen2.5: Llama's block with biases on the Q, K and V projections, usually a tied output.
 * Reference: transformers' {@code modeling_qwen2.py}, llama.cpp's {@code src/models/qwen2.cpp}.
 *
 * <p>GGUF vs Hugging Face: the same layout (llama.cpp does not permute Q/K for qwen2, so RoPE is
 * {@link Rope.Layout#NEOX} in both). config.json does not say that the biases exist; the family does.
 */
public final class Qwen2 extends DescribedFamily {
    public Qwen2() {
        super("qwen2", List.of("qwen2"), List.of("qwen2"), common(Rope.Layout.NEOX, Config::new));
    }

    record Config(ModelConfig common) implements FamilyConfig {
        @Override
        public List<String> features() {
            return StandardParts.features(common, "SwiGLU feed-forward");
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            return StandardParts.decoder(b, c, 1, 1, layer -> StandardParts.preNormBlock(b, c, layer,
                    StandardParts.attention(b, c, layer, rope, false), StandardParts.swiglu(b, c, layer)));
        }
    }
}
