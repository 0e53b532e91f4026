package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.GateActivation;
import dev.panamax.transformer.nn.GatedFeedForward;
import dev.panamax.transformer.nn.Linear;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Granite 3.x (dense): Llama with four scalars: the embeddings times {@code embedding_multiplier},
 * each sub-layer's output times {@code residual_multiplier} before the residual add
 * ({@link ScaledResidualBlock}), {@code attention_multiplier} as the attention logit scale (instead of
 * {@code 1/sqrt(headDim)}), the logits divided by {@code logits_scaling}. Optional biases on the
 * attention ({@code attention_bias}) and MLP ({@code mlp_bias}) projections.
 * Reference: transformers' {@code modeling_granite.py}, llama.cpp's {@code src/models/granite.cpp}.
 *
 * <p>GGUF vs Hugging Face: the scalars are {@code granite.embedding_scale}, {@code .residual_scale},
 * {@code .attention.scale} and {@code .logit_scale}; llama.cpp's converter permutes Q/K as for Llama
 * (granite is a ggml "norm" RoPE architecture), so GGUF is {@link Rope.Layout#INTERLEAVED} and
 * Hugging Face {@link Rope.Layout#NEOX}.
 */
public final class Granite extends DescribedFamily {

    public Granite() {
        super("granite", List.of("granite"), List.of("granite"), readers(Granite::readGguf, Granite::readHf));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        ModelConfig common = GgufConfigReader.common(file, Rope.Layout.INTERLEAVED);
        GgufMetadata m = file.metadata();
        // llama.cpp: logit_scale is required, the others default to "none" (1, or 1/sqrt(headDim) for attention)
        if (!m.contains("granite.logit_scale")) {
            throw new FormatException(file.path(), "granite.logit_scale", "(absent)", "granite needs its logit scale");
        }
        return config(file.path(), common, optional(m, "granite.embedding_scale"), optional(m, "granite.residual_scale"),
                optional(m, "granite.attention.scale"), m.getFloat("granite.logit_scale"), "granite.*");
    }

    private static OptionalDouble optional(GgufMetadata m, String key) {
        return m.contains(key) && m.getFloat(key) != 0 ? OptionalDouble.of(m.getFloat(key)) : OptionalDouble.empty();
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        var x = config.others();
        return config(file, HfConfigReader.common(file, config), x.number("embedding_multiplier"), x.number("residual_multiplier"),
                x.number("attention_multiplier"), x.number("logits_scaling").orElse(1), "config");
    }

    private static Config config(Path file, ModelConfig common, OptionalDouble embedding, OptionalDouble residual,
                                 OptionalDouble attention, double logit, String where) {
        Config c = new Config(common, (float) embedding.orElse(1), (float) residual.orElse(1),
                (float) attention.orElse(common.attentionScale()), (float) logit);
        for (float v : new float[] {c.embeddingScale, c.residualScale, c.attentionScale, c.logitScale}) {
            if (!(v > 0) || Float.isInfinite(v)) {
                throw new FormatException(file, where, c, "Granite's multipliers must be positive and finite");
            }
        }
        return c;
    }

    /**
     * @param embeddingScale {@code embedding_multiplier}
     * @param residualScale  {@code residual_multiplier}
     * @param attentionScale {@code attention_multiplier}
     * @param logitScale     {@code logits_scaling} (the logits are divided by it)
     */
    record Config(ModelConfig common, float embeddingScale, float residualScale, float attentionScale, float logitScale)
            implements FamilyConfig {
        @Override
        public List<String> features() {
            return StandardParts.features(common, "embeddings x " + embeddingScale + ", sub-layer outputs x " + residualScale
                    + ", attention scale " + attentionScale + ", logits / " + logitScale, "SwiGLU feed-forward");
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            WeightLoader w = b.weights();
            return StandardParts.decoder(b, c, embeddingScale, 1 / logitScale, layer -> new ScaledResidualBlock(b.ops(), b.scratch(),
                    c.dim(), w.rmsNorm(StandardParts.ATTN_NORM, layer, c.dim(), c.rmsEps()), attention(b, c, layer, rope),
                    w.rmsNorm(StandardParts.FFN_NORM, layer, c.dim(), c.rmsEps()), feedForward(b, c, layer), residualScale));
        }

        private Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope) {
            WeightLoader w = b.weights();
            boolean bias = c.qkvBias();
            return new Attention(b.ops(), b.scratch(),
                    Attention.Options.standard(c.heads(), c.kvHeads(), c.headDim(), rope).withScale(attentionScale),
                    w.linear(StandardParts.ATTN_Q, layer, c.qDim(), c.dim(), bias),
                    w.linear(StandardParts.ATTN_K, layer, c.kvDim(), c.dim(), bias),
                    w.linear(StandardParts.ATTN_V, layer, c.kvDim(), c.dim(), bias),
                    linear(w, StandardParts.ATTN_OUTPUT, layer, c.dim(), c.qDim()), null, null,
                    b.cache().keys(layer), b.cache().values(layer));
        }

        private static GatedFeedForward feedForward(BuildContext b, ModelConfig c, int layer) {
            WeightLoader w = b.weights();
            return new GatedFeedForward(b.ops(), b.scratch(), linear(w, StandardParts.FFN_GATE, layer, c.ffnDim(), c.dim()),
                    linear(w, StandardParts.FFN_UP, layer, c.ffnDim(), c.dim()),
                    linear(w, StandardParts.FFN_DOWN, layer, c.dim(), c.ffnDim()), GateActivation.SILU);
        }

        /** A projection with its bias when the file has one (llama.cpp: optional {@code attn_output.bias}, {@code ffn_*.bias}). */
        private static Linear linear(WeightLoader w, TensorName name, int layer, int rows, int cols) {
            return w.linear(name, layer, rows, cols, w.has(name, layer, ".bias"));
        }
    }
}
