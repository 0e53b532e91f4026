package dev.panamax.transformer.family;

import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import java.util.List;

/**
 * Llama, Mistral, Mixtral and Granite to GGUF, as llama.cpp's {@code LlamaModel} / {@code GraniteModel}
 * converters write them: the Q and K rows (and biases) permuted so that adjacent pairs rotate together
 * (GGUF reads these "norm" RoPE architectures {@link dev.panamax.tensor.Rope.Layout#INTERLEAVED});
 * Mixtral's experts {@code block_sparse_moe.experts.E.w1/w3/w2} stacked into {@code ffn_gate_exps}
 * / {@code ffn_up_exps} / {@code ffn_down_exps} {@code [E, rows, cols]}; Granite's four multipliers as
 * {@code granite.embedding_scale}, {@code .residual_scale}, {@code .attention.scale}, {@code .logit_scale}.
 */
final class LlamaExport {
    private static final List<TensorName> ATTENTION = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM);
    private static final List<TensorName> DENSE_FFN = List.of(StandardParts.FFN_GATE, StandardParts.FFN_UP, StandardParts.FFN_DOWN);

    private LlamaExport() {
    }

    /** Llama or Mixtral (the GGUF architecture "llama" for both). */
    static void llama(Llama.Config config, ExportWriter w) {
        ModelConfig c = config.common();
        write("llama", c, w);
        if (c.isMoe()) {
            for (int l = 0; l < c.layers(); l++) {
                w.copy(Llama.ROUTER, l, ExportWriter::same);
                for (TensorName e : List.of(Llama.EXPERT_GATE, Llama.EXPERT_UP, Llama.EXPERT_DOWN)) {
                    w.stacked(e, l, c.expertCount());
                }
            }
        } else {
            w.layers(c, DENSE_FFN, ExportWriter::same);
        }
    }

    /** Granite 3.x dense: Llama's tensors (with any biases) and the four scalars. */
    static void granite(Granite.Config g, ExportWriter w) {
        ModelConfig c = g.common();
        w.requireDense("granite", c);
        String a = write("granite", c, w);
        w.out.putFloat32(a + "embedding_scale", g.embeddingScale());
        w.out.putFloat32(a + "residual_scale", g.residualScale());
        w.out.putFloat32(a + "attention.scale", g.attentionScale());
        w.out.putFloat32(a + "logit_scale", g.logitScale());
        w.layers(c, DENSE_FFN, ExportWriter::same);
    }

    /** The keys, the global tensors and the attention of every layer, Q/K permuted; returns {@code "<arch>."}. */
    private static String write(String arch, ModelConfig c, ExportWriter w) {
        String a = w.shape(arch, c);
        w.rope(c.rope(), a, false);
        w.globals(c, ExportWriter::same, false);
        w.layers(c, ATTENTION, (name, t) -> permuted(name, t, c, w));
        return a;
    }

    private static Tensor permuted(TensorName name, Tensor t, ModelConfig c, ExportWriter w) {
        if (name == StandardParts.ATTN_Q) {
            return w.pairAdjacent(t, c.heads());
        }
        return name == StandardParts.ATTN_K ? w.pairAdjacent(t, c.kvHeads()) : t;
    }
}
