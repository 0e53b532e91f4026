package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Decoder;
import java.util.List;

/**
 * OLMo 2: no norms before the sub-layers, an RMSNorm after attention and after the MLP, before
 * each residual add ({@link PostNormBlock}); an RMSNorm over the whole Q projection (gain
 * {@code [heads·headDim]}) and over the whole K projection ({@code [kvHeads·headDim]}) before RoPE,
 * not per head as Qwen3. SwiGLU, no biases, own output matrix.
 * Reference: transformers' {@code modeling_olmo2.py} ({@code Olmo2Attention},
 * {@code Olmo2DecoderLayer}), llama.cpp's {@code src/models/olmo2.cpp}.
 *
 * <p>GGUF vs Hugging Face: the same layout, {@link Rope.Layout#NEOX} in both;
 * {@code blk.N.post_attention_norm} is {@code post_attention_layernorm} and {@code blk.N.post_ffw_norm}
 * is {@code post_feedforward_layernorm} (in Llama's files {@code post_attention_layernorm} is the
 * pre-FFN norm, GGUF {@code ffn_norm}). OLMo 3's sliding-window layers (GGUF
 * {@code olmo2.attention.sliding_window}, HF {@code olmo3}) are refused.
 */
public final class Olmo2 extends DescribedFamily {
    static final TensorName POST_ATTN_NORM = TensorName.layer("post_attention_norm", "post_attention_layernorm");
    static final TensorName POST_FFN_NORM = TensorName.layer("post_ffw_norm", "post_feedforward_layernorm");

    public Olmo2() {
        super("olmo2", List.of("olmo2"), List.of("olmo2"), readers(Olmo2::readGguf, (file, hf) -> new Config(HfConfigReader.common(file, hf))));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        String window = "olmo2.attention.sliding_window";
        if (file.metadata().contains(window) && file.metadata().getInt(window) > 0) {
            throw new UnsupportedModelException(file.path() + ": " + window + " = " + file.metadata().getInt(window)
                    + " (OLMo 3's sliding-window layers) is not supported; supported: OLMo 2 (no sliding window)");
        }
        return new Config(GgufConfigReader.common(file, Rope.Layout.NEOX));
    }

    record Config(ModelConfig common) implements FamilyConfig {
        @Override
        public List<String> features() {
            return StandardParts.features(common, "RMSNorm over the whole Q and K projections before RoPE",
                    "RMSNorm after attention and after the feed-forward, none before", "SwiGLU feed-forward");
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            WeightLoader w = b.weights();
            return StandardParts.decoder(b, c, 1, 1, layer -> new PostNormBlock(b.ops(), b.scratch(), c.dim(),
                    attention(b, c, layer, rope), w.rmsNorm(POST_ATTN_NORM, layer, c.dim(), c.rmsEps()),
                    StandardParts.swiglu(b, c, layer), w.rmsNorm(POST_FFN_NORM, layer, c.dim(), c.rmsEps())));
        }

        private static Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope) {
            WeightLoader w = b.weights();
            Attention.Options options = Attention.Options.standard(c.heads(), c.kvHeads(), c.headDim(), rope)
                    .withQkNorm(Attention.QkNormScope.WHOLE);
            return new Attention(b.ops(), b.scratch(), options,
                    w.linear(StandardParts.ATTN_Q, layer, c.qDim(), c.dim(), c.qkvBias()),
                    w.linear(StandardParts.ATTN_K, layer, c.kvDim(), c.dim(), c.qkvBias()),
                    w.linear(StandardParts.ATTN_V, layer, c.kvDim(), c.dim(), c.qkvBias()),
                    w.linear(StandardParts.ATTN_OUTPUT, layer, c.dim(), c.qDim(), false),
                    w.rmsNorm(StandardParts.ATTN_Q_NORM, layer, c.qDim(), c.rmsEps()),
                    w.rmsNorm(StandardParts.ATTN_K_NORM, layer, c.kvDim(), c.rmsEps()),
                    b.cache().keys(layer), b.cache().values(layer));
        }
    }
}
