package dev.panamax.transformer.family;

import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeScaling;
import java.util.List;

/**
 * Phi-3 / Phi-4 to GGUF, as llama.cpp's {@code Phi3MiniModel} converter writes it: the fused
 * {@code qkv_proj} as {@code attn_qkv} and {@code gate_up_proj} as {@code ffn_up} (rows gate, then up),
 * unchanged; {@code phi3.attention.sliding_window} always (0: none, as Phi-4); LongRoPE as the tensors
 * {@code rope_factors_short} / {@code rope_factors_long} (F32) with {@code phi3.rope.scaling.attn_factor}
 * and {@code .original_context_length}, and no scaling type.
 */
final class Phi3Export {
    private static final List<TensorName> FUSED = List.of(StandardParts.ATTN_NORM, Phi3.ATTN_QKV, StandardParts.ATTN_OUTPUT,
            StandardParts.FFN_NORM, Phi3.FFN_GATE_UP, StandardParts.FFN_DOWN);
    private static final List<TensorName> SEPARATE = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM, Phi3.FFN_GATE_UP, StandardParts.FFN_DOWN);

    private Phi3Export() {
    }

    static void phi3(Phi3.Config p, ExportWriter w) {
        ModelConfig c = p.common();
        w.requireDense("phi3", c);
        String a = w.shape("phi3", c);
        w.out.putUInt32(a + "attention.sliding_window", p.slidingWindow());
        if (c.rope().scaling() instanceof RopeScaling.LongRope l) {
            w.out.putUInt32(a + "rope.scaling.original_context_length", l.originalContext());
            w.out.putFloat32(a + "rope.scaling.attn_factor", (float) l.magnitudeFactor());
            w.out.addTensor(Phi3.ROPE_LONG.gguf() + ".weight", Tensor.of(w.arena, l.longFactors().clone(), l.longFactors().length));
            w.out.addTensor(Phi3.ROPE_SHORT.gguf() + ".weight", Tensor.of(w.arena, l.shortFactors().clone(), l.shortFactors().length));
        } else {
            w.rope(c.rope(), a, false);
        }
        w.globals(c, ExportWriter::same, false);
        // Phi-3's checkpoints fuse Q, K and V; the family also reads them apart (and so converts them)
        boolean fused = w.weights.find(Phi3.ATTN_QKV.in(TensorFormat.HUGGING_FACE, 0, ".weight")).isPresent();
        w.layers(c, fused ? FUSED : SEPARATE, ExportWriter::same);
    }
}
