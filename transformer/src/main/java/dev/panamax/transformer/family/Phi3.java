package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeScaling;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.GateActivation;
import dev.panamax.transformer.nn.GatedFeedForward;
import dev.panamax.transformer.nn.Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Phi-3 / Phi-3.5 (mini, medium), Phi-4 and Phi-4-mini: Llama's pre-norm block with the Q, K and V
 * projections fused into one matrix ({@code qkv_proj}, GGUF {@code attn_qkv}: rows q, then k, then v)
 * and the SwiGLU gate and up projections fused too ({@code gate_up_proj}, GGUF {@code ffn_up}
 * {@code [2·F, dim]}: rows gate, then up; transformers' {@code chunk(2)}, llama.cpp's fused swiglu).
 * Long-context variants use LongRoPE ({@link RopeScaling.LongRope}); Phi-4-mini rotates 3/4 of each
 * head and ties the output; Phi-3-mini-4k declares a sliding window of 2047 positions.
 * Reference: transformers' {@code modeling_phi3.py}, llama.cpp's {@code src/models/phi3.cpp}.
 *
 * <p>GGUF vs Hugging Face: the same layouts, {@link Rope.Layout#NEOX} in both. LongRoPE comes as
 * {@code rope_scaling} {short_factor, long_factor} in config.json, and as the tensors
 * {@code rope_factors_short} / {@code rope_factors_long} with {@code phi3.rope.scaling.attn_factor}
 * and {@code .original_context_length} in GGUF. The sliding window ({@code sliding_window},
 * {@code phi3.attention.sliding_window}) is applied as transformers does; llama.cpp v0.5.0 ignores it
 * for phi3 ("Phi SWA is currently disabled"), so the two differ on prompts longer than the window.
 */
public final class Phi3 extends DescribedFamily {
    static final TensorName ATTN_QKV = TensorName.layer("attn_qkv", "self_attn.qkv_proj");
    static final TensorName FFN_GATE_UP = TensorName.layer("ffn_up", "mlp.gate_up_proj");
    static final TensorName ROPE_SHORT = TensorName.global("rope_factors_short", "");
    static final TensorName ROPE_LONG = TensorName.global("rope_factors_long", "");

    public Phi3() {
        super("phi3", List.of("phi3"), List.of("phi3"), readers(Phi3::readGguf, Phi3::readHf));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        ModelConfig common = GgufConfigReader.common(file, Rope.Layout.NEOX);
        var m = file.metadata();
        Optional<Tensor> shortFactors = file.findTensor(ROPE_SHORT.gguf() + ".weight");
        Optional<Tensor> longFactors = file.findTensor(ROPE_LONG.gguf() + ".weight");
        if (shortFactors.isPresent() != longFactors.isPresent()) {
            throw new FormatException(file.path(), shortFactors.isPresent() ? "rope_factors_long.weight" : "rope_factors_short.weight",
                    "(absent)", "LongRoPE needs both factor tensors");
        }
        if (shortFactors.isPresent()) {
            String ctxKey = "phi3.rope.scaling.original_context_length";
            int original = m.contains(ctxKey) ? m.getInt(ctxKey) : common.contextLength();
            String attnKey = "phi3.rope.scaling.attn_factor";
            double attention = m.contains(attnKey) ? m.getFloat(attnKey) : 1;
            try {
                common = common.withRope(common.rope().withScaling(new RopeScaling.LongRope(shortFactors.get().toFloatArray(),
                        longFactors.get().toFloatArray(), original, attention)));
            } catch (IllegalArgumentException e) {
                throw new FormatException(file.path(), "rope_factors_short.weight", shortFactors.get().describe(), e.getMessage(), e);
            }
        }
        String windowKey = "phi3.attention.sliding_window";
        return new Config(common, m.contains(windowKey) ? m.getInt(windowKey) : 0);
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        return new Config(HfConfigReader.common(file, config), config.others().integer("sliding_window").orElse(0));
    }

    /** @param slidingWindow positions each query sees (itself included), 0 for all */
    record Config(ModelConfig common, int slidingWindow) implements FamilyConfig {
        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>(StandardParts.features(common));
            f.add("fused QKV projection");
            f.add("SwiGLU feed-forward, gate and up fused");
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
        public Decoder build(ModelConfig c, BuildContext b) {
            RopeScaling scaling = c.rope().scaling();
            Rope rope;
            Tensor queryGain = null;
            if (scaling instanceof RopeScaling.LongRope longRope) {
                rope = c.rope().withScaling(longRope.forContext(c.contextLength())).toRope();
                queryGain = longRope.magnitudeFactor() == 1 ? null : b.weights().constant(queryGain(c, longRope.magnitudeFactor()));
            } else {
                rope = c.rope().toRope();
            }
            Tensor gain = queryGain;
            return StandardParts.decoder(b, c, 1, 1, layer -> StandardParts.preNormBlock(b, c, layer,
                    attention(b, c, layer, rope, gain, slidingWindow), feedForward(b, c, layer)));
        }

        /** {@code m²} on the rotated entries of a head, 1 on the others. */
        private static float[] queryGain(ModelConfig c, double attentionFactor) {
            float[] g = new float[c.headDim()];
            for (int i = 0; i < g.length; i++) {
                g[i] = i < c.rope().dims() ? (float) (attentionFactor * attentionFactor) : 1;
            }
            return g;
        }

        private static Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope, Tensor queryGain, int window) {
            WeightLoader w = b.weights();
            List<Linear> qkv = w.has(ATTN_QKV, layer) ? w.split(ATTN_QKV, layer, c.dim(), c.qDim(), c.kvDim(), c.kvDim())
                    : List.of(w.linear(StandardParts.ATTN_Q, layer, c.qDim(), c.dim(), false),
                            w.linear(StandardParts.ATTN_K, layer, c.kvDim(), c.dim(), false),
                            w.linear(StandardParts.ATTN_V, layer, c.kvDim(), c.dim(), false));
            Attention.Options options = Attention.Options.standard(c.heads(), c.kvHeads(), c.headDim(), rope).withQueryGain(queryGain)
                    .withWindow(window);
            return new Attention(b.ops(), b.scratch(), options, qkv.get(0), qkv.get(1), qkv.get(2),
                    w.linear(StandardParts.ATTN_OUTPUT, layer, c.dim(), c.qDim(), false), null, null,
                    b.cache().keys(layer), b.cache().values(layer));
        }

        private static GatedFeedForward feedForward(BuildContext b, ModelConfig c, int layer) {
            WeightLoader w = b.weights();
            List<Linear> gateUp = w.split(FFN_GATE_UP, layer, c.dim(), c.ffnDim(), c.ffnDim());
            return new GatedFeedForward(b.ops(), b.scratch(), gateUp.get(0), gateUp.get(1),
                    w.linear(StandardParts.FFN_DOWN, layer, c.dim(), c.ffnDim(), false), GateActivation.SILU);
        }
    }
}
