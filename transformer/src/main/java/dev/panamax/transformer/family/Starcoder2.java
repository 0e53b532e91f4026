package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.TransformerBlock;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.GeluFeedForward;
import dev.panamax.transformer.nn.Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * StarCoder 2: the pre-norm block with LayerNorms (gain and bias, {@code norm_epsilon}) instead of
 * RMSNorms, biases on the Q, K, V and output projections ({@code use_bias}), a plain GELU MLP with
 * biases ({@code c_fc} → {@code gelu_pytorch_tanh} → {@code c_proj}), a sliding window (4096) and a
 * tied output. Reference: transformers' {@code modeling_starcoder2.py}, llama.cpp's
 * {@code src/models/starcoder2.cpp}.
 *
 * <p>GGUF vs Hugging Face: the same layout, {@link Rope.Layout#NEOX}; {@code ffn_up} / {@code ffn_down}
 * are {@code mlp.c_fc} / {@code mlp.c_proj}, the norm epsilon is
 * {@code starcoder2.attention.layer_norm_epsilon}. llama.cpp v0.5.0 applies no sliding window to
 * starcoder2 and always the tanh GELU; Panamax applies {@code sliding_window} as transformers does.
 */
public final class Starcoder2 extends DescribedFamily {
    static final TensorName FFN_UP = TensorName.layer("ffn_up", "mlp.c_fc");
    static final TensorName FFN_DOWN = TensorName.layer("ffn_down", "mlp.c_proj");

    public Starcoder2() {
        super("starcoder2", List.of("starcoder2"), List.of("starcoder2"), readers(Starcoder2::readGguf, Starcoder2::readHf));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        ModelConfig common = GgufConfigReader.common(file, Rope.Layout.NEOX);
        String windowKey = "starcoder2.attention.sliding_window";
        int window = file.metadata().contains(windowKey) ? file.metadata().getInt(windowKey) : 0;
        return new Config(common, common.rmsEps(), Gelu.TANH, window);
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        var x = config.others();
        float eps = (float) x.number("norm_epsilon").orElse(1e-5); // Starcoder2Config's default
        String act = config.hiddenAct().orElse("gelu_pytorch_tanh");
        Gelu gelu = switch (act) {
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> Gelu.TANH;
            case "gelu" -> Gelu.ERF;
            default -> throw new UnsupportedModelException(file + ": hidden_act '" + act
                    + "' is not supported for starcoder2 (supported: gelu_pytorch_tanh, gelu_new, gelu_fast, gelu)");
        };
        return new Config(HfConfigReader.common(file, config), eps, gelu, x.integer("sliding_window").orElse(0));
    }

    /**
     * @param normEps       the LayerNorm epsilon
     * @param gelu          the MLP's activation
     * @param slidingWindow positions each query sees (itself included), 0 for all
     */
    record Config(ModelConfig common, float normEps, Gelu gelu, int slidingWindow) implements FamilyConfig {
        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>(StandardParts.features(common));
            f.add("LayerNorm with bias");
            f.add("GELU (" + gelu.name().toLowerCase(java.util.Locale.ROOT) + ") MLP with biases");
            if (slidingWindow > 0) {
                f.add("sliding window of " + slidingWindow + " positions");
            }
            return f;
        }

        @Override
        public int slidingWindow(int layer) {
            return slidingWindow;
        }

        @Override
        public Decoder build(ModelConfig config, BuildContext b) {
            Rope rope = config.rope().toRope();
            WeightLoader w = b.weights();
            // Starcoder2Config ties by default, so a config.json may not say so: no lm_head means tied
            ModelConfig c = config.tiedEmbeddings() || w.has(StandardParts.OUTPUT, -1) ? config
                    : new ModelConfig(config.architecture(), config.dim(), config.ffnDim(), config.layers(), config.heads(),
                            config.kvHeads(), config.headDim(), config.vocabSize(), config.contextLength(), config.rmsEps(),
                            config.rope(), config.qkvBias(), true, config.expertCount(), config.expertsUsed());
            return StandardParts.decoder(b, c, 1, 1, w.layerNorm(StandardParts.OUTPUT_NORM, -1, c.dim(), normEps),
                    layer -> new TransformerBlock(b.ops(), b.scratch(), c.dim(),
                            w.layerNorm(StandardParts.ATTN_NORM, layer, c.dim(), normEps), attention(b, c, layer, rope, slidingWindow),
                            w.layerNorm(StandardParts.FFN_NORM, layer, c.dim(), normEps),
                            new GeluFeedForward(b.ops(), b.scratch(), linear(w, FFN_UP, layer, c.ffnDim(), c.dim()),
                                    linear(w, FFN_DOWN, layer, c.dim(), c.ffnDim()), gelu)));
        }

        private static Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope, int window) {
            WeightLoader w = b.weights();
            return new Attention(b.ops(), b.scratch(), Attention.Options.standard(c.heads(), c.kvHeads(), c.headDim(), rope).withWindow(window),
                    linear(w, StandardParts.ATTN_Q, layer, c.qDim(), c.dim()), linear(w, StandardParts.ATTN_K, layer, c.kvDim(), c.dim()),
                    linear(w, StandardParts.ATTN_V, layer, c.kvDim(), c.dim()),
                    linear(w, StandardParts.ATTN_OUTPUT, layer, c.dim(), c.qDim()), null, null,
                    b.cache().keys(layer), b.cache().values(layer));
        }

        /** A projection with its bias when the file has one ({@code use_bias}, true in every released model). */
        private static Linear linear(WeightLoader w, TensorName name, int layer, int rows, int cols) {
            return w.linear(name, layer, rows, cols, w.has(name, layer, ".bias"));
        }
    }
}
