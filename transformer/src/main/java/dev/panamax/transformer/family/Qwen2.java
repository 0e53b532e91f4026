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
 * Qwen2 and Qwen2.5: Llama's block with biases on the Q, K and V projections, usually a tied output.
 * Reference: transformers' {@code modeling_qwen2.py}, llama.cpp's {@code src/models/qwen2.cpp}.
 *
 * <p>GGUF vs Hugging Face: the same layout (llama.cpp does not permute Q/K for qwen2, so RoPE is
 * {@link Rope.Layout#NEOX} in both). config.json does not say that the biases exist; the family does.
 */
public final class Qwen2 implements ModelFamily {
    static final String NAME = "qwen2";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> ggufArchitectures() {
        return List.of("qwen2");
    }

    @Override
    public List<String> hfModelTypes() {
        return List.of("qwen2");
    }

    @Override
    public FamilyConfig fromGguf(GgufFile file) {
        return new Config(GgufConfigReader.common(file, Rope.Layout.NEOX));
    }

    @Override
    public FamilyConfig fromHf(Path file, HfConfig config) {
        return new Config(HfConfigReader.common(file, config));
    }

    record Config(ModelConfig common) implements FamilyConfig {
        @Override
        public String familyName() {
            return NAME;
        }

        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>(StandardParts.features(common));
            f.add("SwiGLU feed-forward");
            return f;
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            return StandardParts.decoder(b, c, 1, 1, layer -> StandardParts.preNormBlock(b, c, layer,
                    StandardParts.attention(b, c, layer, rope, false), StandardParts.swiglu(b, c, layer)));
        }
    }
}
