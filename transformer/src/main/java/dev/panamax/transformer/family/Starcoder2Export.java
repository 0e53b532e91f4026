package dev.panamax.transformer.family;

import dev.panamax.tensor.Gelu;
import dev.panamax.transformer.ModelConfig;
import java.util.List;

/**
 * StarCoder 2 to GGUF, as llama.cpp's {@code StarCoder2Model} converter writes it: LayerNorms with
 * their biases, the epsilon as {@code starcoder2.attention.layer_norm_epsilon} (no RMSNorm key),
 * biases on every projection, {@code mlp.c_fc} / {@code mlp.c_proj} as {@code ffn_up} / {@code ffn_down},
 * the sliding window as {@code starcoder2.attention.sliding_window} (which llama.cpp ignores); a model
 * without {@code lm_head} is tied. GGUF has no activation key (llama.cpp uses the tanh GELU), so the
 * exact GELU is refused.
 */
final class Starcoder2Export {
    private static final List<TensorName> NAMES = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM, Starcoder2.FFN_UP, Starcoder2.FFN_DOWN);

    private Starcoder2Export() {
    }

    static void starcoder2(Starcoder2.Config s, ExportWriter w) {
        ModelConfig c = s.common();
        w.requireDense("starcoder2", c);
        if (s.gelu() != Gelu.TANH) {
            throw w.refuse("hidden_act gelu (exact): llama.cpp's starcoder2 uses the tanh GELU; not converted");
        }
        String a = w.shapeWithoutEps("starcoder2", c, c.kvHeads(), c.headDim(), c.headDim(), c.rope().dims());
        w.out.putFloat32(a + "attention.layer_norm_epsilon", s.normEps());
        if (s.slidingWindow() > 0) {
            w.out.putUInt32(a + "attention.sliding_window", s.slidingWindow());
        }
        w.rope(c.rope(), a, false);
        w.globals(c, ExportWriter::same, true);
        w.layers(c, NAMES, ExportWriter::same);
    }
}
