package dev.panamax.transformer.family;

import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.TransformerBlock;
import dev.panamax.transformer.nn.Decoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Gemma (1): Llama's pre-norm block with Gemma's parts ({@link GemmaParts}: embedding times
 * {@code sqrt(dim)}, RMSNorm by {@code 1 + w}, GeGLU with the tanh GELU, tied output), multi-query
 * attention for 2B, head dimension 256 for both sizes (so {@code heads · headDim} is not {@code dim}
 * for 7B: 16 × 256 = 4096 vs 3072). Reference: transformers' {@code modeling_gemma.py}, llama.cpp's
 * {@code src/models/gemma.cpp}.
 *
 * <p>GGUF vs Hugging Face: the converter adds 1 to every norm gain and drops {@code lm_head};
 * {@link Rope.Layout#NEOX} RoPE in both.
 */
public final class Gemma extends DescribedFamily {
    public Gemma() {
        // GemmaConfig's defaults where they differ from HfConfig's
        super("gemma", List.of("gemma"), List.of("gemma"), Map.of("tie_word_embeddings", true, "head_dim", 256L),
                readers(file -> new Config(GgufConfigReader.common(file, Rope.Layout.NEOX)), Gemma::readHf));
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        GemmaParts.checkActivation(file, config.others().string("hidden_activation"));
        return new Config(HfConfigReader.common(file, config));
    }

    record Config(ModelConfig common) implements FamilyConfig {
        @Override
        public List<String> features() {
            return GemmaParts.features(common);
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            return GemmaParts.decoder(b, c, 0, layer -> new TransformerBlock(b.ops(), b.scratch(), c.dim(),
                    GemmaParts.norm(b, StandardParts.ATTN_NORM, layer, c.dim(), c.rmsEps()),
                    GemmaParts.attention(b, c, layer, rope, c.attentionScale(), false, 0, 0),
                    GemmaParts.norm(b, StandardParts.FFN_NORM, layer, c.dim(), c.rmsEps()),
                    GemmaParts.geglu(b, c, layer)));
        }
    }
}
