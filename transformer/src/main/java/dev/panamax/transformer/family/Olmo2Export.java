package dev.panamax.transformer.family;

import dev.panamax.transformer.ModelConfig;
import java.util.List;

/**
 * OLMo 2 to GGUF, as llama.cpp's {@code Olmo2Model} converter writes it: no pre-norms, the norms after
 * attention and the MLP as {@code post_attention_norm} / {@code post_ffw_norm}, the whole-projection
 * Q/K norms ({@code [heads · headDim]}, {@code [kvHeads · headDim]}) as {@code attn_q_norm} /
 * {@code attn_k_norm}; no Q/K permutation.
 */
final class Olmo2Export {
    private static final List<TensorName> NAMES = List.of(StandardParts.ATTN_Q, StandardParts.ATTN_K, StandardParts.ATTN_V,
            StandardParts.ATTN_OUTPUT, StandardParts.ATTN_Q_NORM, StandardParts.ATTN_K_NORM, Olmo2.POST_ATTN_NORM,
            StandardParts.FFN_GATE, StandardParts.FFN_UP, StandardParts.FFN_DOWN, Olmo2.POST_FFN_NORM);

    private Olmo2Export() {
    }

    static void olmo2(Olmo2.Config o, ExportWriter w) {
        ModelConfig c = o.common();
        w.requireDense("olmo2", c);
        String a = w.shape("olmo2", c);
        w.rope(c.rope(), a, false);
        w.globals(c, ExportWriter::same, false);
        w.layers(c, NAMES, ExportWriter::same);
    }
}
