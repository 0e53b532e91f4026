package dev.panamax.transformer.family;

import dev.panamax.transformer.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen2, Qwen3, Qwen2-MoE and Qwen3-MoE to GGUF, as llama.cpp's converters write them: the same
 * tensors under llama.cpp's names (no Q/K permutation: {@link dev.panamax.tensor.Rope.Layout#NEOX} in
 * both formats), Q/K/V biases where the checkpoint has them, Qwen3's {@code attn_q_norm} /
 * {@code attn_k_norm}; for the mixtures the experts stacked ({@code ffn_gate_exps [E, F, dim]}), the
 * widths as {@code expert_feed_forward_length} / {@code expert_shared_feed_forward_length},
 * {@code norm_topk_prob} as {@code expert_weights_norm}, and Qwen2-MoE's shared-expert gate
 * {@code [1, dim]} as the vector {@code ffn_gate_inp_shexp [dim]}.
 */
final class QwenExport {
    private static final List<TensorName> ATTENTION = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM);
    private static final List<TensorName> QK_NORM = List.of(StandardParts.ATTN_Q_NORM, StandardParts.ATTN_K_NORM);
    private static final List<TensorName> DENSE_FFN = List.of(StandardParts.FFN_GATE, StandardParts.FFN_UP, StandardParts.FFN_DOWN);

    private QwenExport() {
    }

    /** Qwen2 or Qwen3 (dense). */
    static void dense(String arch, ModelConfig c, ExportWriter w) {
        w.requireDense(arch, c);
        attention(arch, c, w);
        w.layers(c, DENSE_FFN, ExportWriter::same);
    }

    /** Qwen2-MoE: Qwen2's attention, routed experts and a gated shared expert. */
    static void qwen2moe(Qwen2Moe.Config q, ExportWriter w) {
        ModelConfig c = q.common();
        String a = attention("qwen2moe", c, w);
        w.out.putUInt32(a + "expert_feed_forward_length", q.expertFfn());
        w.out.putUInt32(a + "expert_shared_feed_forward_length", q.sharedFfn());
        if (q.normalizeTopK()) { // llama.cpp's qwen2moe does not renormalize; Panamax reads the key
            w.out.putBool(a + "expert_weights_norm", true);
        }
        for (int l = 0; l < c.layers(); l++) {
            experts(c, l, w);
            for (TensorName n : List.of(Qwen2Moe.SHARED_GATE, Qwen2Moe.SHARED_UP, Qwen2Moe.SHARED_DOWN)) {
                w.copy(n, l, ExportWriter::same);
            }
            w.copy(Qwen2Moe.SHARED_EXPERT_GATE, l, (n, t) -> t.rank() == 2 ? t.reshape(t.size(1)) : t);
        }
    }

    /** Qwen3-MoE: Qwen3's attention and routed experts. */
    static void qwen3moe(Qwen3Moe.Config q, ExportWriter w) {
        ModelConfig c = q.common();
        String a = attention("qwen3moe", c, w);
        w.out.putUInt32(a + "expert_feed_forward_length", q.expertFfn());
        w.out.putBool(a + "expert_weights_norm", q.normalizeTopK());
        for (int l = 0; l < c.layers(); l++) {
            experts(c, l, w);
        }
    }

    /** Keys, global tensors and every layer's attention (with Qwen3's Q/K norms); returns {@code "<arch>."}. */
    private static String attention(String arch, ModelConfig c, ExportWriter w) {
        String a = w.shape(arch, c);
        w.rope(c.rope(), a, false);
        w.globals(c, ExportWriter::same, false);
        List<TensorName> names = new ArrayList<>(ATTENTION);
        if (arch.startsWith("qwen3")) {
            names.addAll(QK_NORM);
        }
        w.layers(c, names, ExportWriter::same);
        return a;
    }

    private static void experts(ModelConfig c, int layer, ExportWriter w) {
        w.copy(Qwen2Moe.ROUTER, layer, ExportWriter::same);
        for (TensorName e : List.of(Qwen2Moe.EXPERT_GATE, Qwen2Moe.EXPERT_UP, Qwen2Moe.EXPERT_DOWN)) {
            w.stacked(e, layer, c.expertCount());
        }
    }
}
