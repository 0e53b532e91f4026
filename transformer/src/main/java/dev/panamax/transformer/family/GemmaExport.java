package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufArray;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeScaling;
import java.util.List;

/**
 * Gemma 1, 2 and 3 to GGUF, as llama.cpp's {@code GemmaModel} / {@code Gemma2Model} /
 * {@code Gemma3Model} converters write them: every RMSNorm gain {@code w} stored as {@code 1 + w}
 * (Hugging Face adds the 1 at run time, GGUF files hold it), no {@code lm_head} (tied); Gemma 2/3's
 * four norms per block; Gemma 3's Q/K norms; the window, which layers slide (one flag per layer) and
 * the local RoPE base; Gemma 2's soft-caps. {@code Gemma3ForConditionalGeneration}'s text model is read
 * under its {@code language_model.} prefix by the checkpoint. GGUF has no {@code query_pre_attn_scalar}:
 * llama.cpp scales by {@code 1/sqrt(head_dim)} (but for the 27B models), so another scale is refused.
 */
final class GemmaExport {
    private static final List<TensorName> GEMMA = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM, StandardParts.FFN_GATE, StandardParts.FFN_UP,
            StandardParts.FFN_DOWN);
    private static final List<TensorName> GEMMA2 = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, GemmaParts.POST_ATTENTION_NORM, GemmaParts.PRE_FFN_NORM,
            StandardParts.FFN_GATE, StandardParts.FFN_UP, StandardParts.FFN_DOWN, GemmaParts.POST_FFN_NORM);
    private static final List<TensorName> QK_NORM = List.of(StandardParts.ATTN_Q_NORM, StandardParts.ATTN_K_NORM);
    private static final List<TensorName> NORMS = List.of(StandardParts.OUTPUT_NORM, StandardParts.ATTN_NORM, StandardParts.FFN_NORM,
            StandardParts.ATTN_Q_NORM, StandardParts.ATTN_K_NORM, GemmaParts.POST_ATTENTION_NORM, GemmaParts.PRE_FFN_NORM,
            GemmaParts.POST_FFN_NORM);

    private GemmaExport() {
    }

    /** Gemma 1: Llama's tensor names, norms plus one. */
    static void gemma(Gemma.Config g, ExportWriter w) {
        ModelConfig c = g.common();
        w.requireDense("gemma", c);
        String a = w.shape("gemma", c);
        w.rope(c.rope(), a, false);
        w.globals(c, (n, t) -> norm(n, t, w), false);
        w.layers(c, GEMMA, (n, t) -> norm(n, t, w));
    }

    /** Gemma 2 or 3 ({@code g.familyName()}). */
    static void gemma2or3(Gemma2.Config g, ExportWriter w) {
        ModelConfig c = g.common();
        String arch = g.familyName();
        w.requireDense(arch, c);
        String a = w.shape(arch, c);
        w.rope(c.rope(), a, false);
        boolean three = arch.equals(Gemma3.NAME);
        // llama.cpp: 1/sqrt(dim / heads) for the 27B models (46 layers for Gemma 2, 62 for Gemma 3), else 1/sqrt(head_dim)
        int big = three ? 62 : 46;
        float llamaCppScale = (float) (1 / Math.sqrt(c.layers() == big ? (double) c.dim() / c.heads() : c.headDim()));
        if (g.attentionScale() != llamaCppScale) {
            throw w.refuse("attention scale " + g.attentionScale() + " (query_pre_attn_scalar): llama.cpp's " + arch + " uses "
                    + llamaCppScale + "; not converted");
        }
        if (three && g.attentionSoftCap() != 0) {
            throw w.refuse("attention soft-cap " + g.attentionSoftCap() + ": llama.cpp's gemma3 has none; not converted");
        }
        if (!three) {
            w.out.putFloat32(a + "attn_logit_softcapping", g.attentionSoftCap());
            w.out.putFloat32(a + "final_logit_softcapping", g.finalSoftCap());
            if (!g.localRope().equals(c.rope())) {
                throw w.refuse("the sliding layers' RoPE " + g.localRope() + " differs from the others'; llama.cpp's gemma2 uses one");
            }
        } else {
            if (g.finalSoftCap() != 0) {
                w.out.putFloat32(a + "final_logit_softcapping", g.finalSoftCap());
            }
            if (g.window() > 0 && !g.localRope().scaling().equals(new RopeScaling.None())) {
                throw w.refuse("the sliding layers' RoPE scaling " + g.localRope().scaling() + " is not converted (llama.cpp's gemma3"
                        + " does not scale them)");
            }
        }
        if (g.window() > 0) {
            w.out.putUInt32(a + "attention.sliding_window", g.window());
            if (three) {
                w.out.putFloat32(a + "rope.freq_base_swa", (float) g.localRope().theta());
            }
            boolean[] sliding = new boolean[g.sliding().size()];
            for (int l = 0; l < sliding.length; l++) {
                sliding[l] = g.sliding().get(l);
            }
            w.out.putArray(a + "attention.sliding_window_pattern", GgufArray.ofBool(sliding));
        }
        w.globals(c, (n, t) -> norm(n, t, w), false);
        w.layers(c, GEMMA2, (n, t) -> norm(n, t, w));
        if (g.qkNorm()) {
            w.layers(c, QK_NORM, (n, t) -> norm(n, t, w));
        }
    }

    private static Tensor norm(TensorName name, Tensor t, ExportWriter w) {
        return NORMS.contains(name) ? w.plusOne(t) : t;
    }
}
