package dev.panamax.transformer.family;

import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeScaling;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DeepSeek V2/V3 to GGUF, as llama.cpp's converter writes it since mid-2025: {@code kv_b} split into
 * {@code attn_k_b} / {@code attn_v_b} ({@link #splitKvB}), so that llama.cpp runs its absorbed MLA
 * over a latent cache of one KV head of {@code L + R} (the per-head sizes as
 * {@code attention.key_length_mla} / {@code value_length_mla}), the routed experts stacked
 * ({@code ffn_gate_exps [E, F, dim]}), YaRN's {@code mscale_all_dim} as {@code 0.1 ·}
 * {@code yarn_log_multiplier}. FP8 projections arrive dequantized (BF16) from the checkpoint.
 */
final class DeepSeek2Export {
    private DeepSeek2Export() {
    }

    static void deepSeek2(DeepSeek2.Config d, ExportWriter w) {
        ModelConfig c = d.common();
        DeepSeek2.Mla mla = d.mla();
        DeepSeek2.Moe moe = d.moe();
        if (c.rope().layout() != Rope.Layout.INTERLEAVED) {
            throw w.refuse("rope_interleave false is not converted (llama.cpp ropes q_pe/k_pe in adjacent pairs)");
        }
        if (moe.groups() > 1 && moe.groupScore() != DeepSeekRouter.GroupScore.TOP2_SUM) {
            throw w.refuse("group_limited_greedy routing (groups scored by their best expert) is not converted; llama.cpp scores"
                    + " groups by their top two");
        }
        // MLA as MQA over the latent: one KV head of L + R keys and L values; the per-head shapes under *_mla
        String a = w.shape("deepseek2", c, 1, mla.kvLoraRank() + mla.ropeDim(), mla.kvLoraRank(), mla.ropeDim());
        var out = w.out;
        out.putUInt32(a + "attention.key_length_mla", mla.nopeDim() + mla.ropeDim());
        out.putUInt32(a + "attention.value_length_mla", mla.valueDim());
        // 0 without q LoRA: llama.cpp requires the key unless the model has 26 or 27 blocks (its V2-Lite test)
        out.putUInt32(a + "attention.q_lora_rank", mla.qLoraRank());
        out.putUInt32(a + "attention.kv_lora_rank", mla.kvLoraRank());
        out.putUInt32(a + "leading_dense_block_count", moe.denseLeading());
        out.putUInt32(a + "expert_feed_forward_length", moe.expertFfn());
        out.putUInt32(a + "expert_shared_count", moe.shared());
        out.putFloat32(a + "expert_weights_scale", (float) moe.scale());
        out.putBool(a + "expert_weights_norm", moe.normalize());
        out.putUInt32(a + "expert_gating_func", moe.gating() == DeepSeekRouter.Gating.SIGMOID ? 2 : 1);
        out.putUInt32(a + "expert_group_count", moe.groups());
        out.putUInt32(a + "expert_group_used_count", moe.groupsUsed());
        // the common shape wrote the config's expert counts; DeepSeek's are its own
        out.remove(a + "expert_count").remove(a + "expert_used_count");
        out.putUInt32(a + "expert_count", moe.experts());
        out.putUInt32(a + "expert_used_count", moe.used());
        if (c.rope().scaling() instanceof RopeScaling.Yarn y) {
            if (!y.truncate() || y.mscale() != y.mscaleAllDim()) {
                throw w.refuse(y + ": llama.cpp's deepseek2 truncates and takes mscale = mscale_all_dim; not converted");
            }
            out.putString(a + "rope.scaling.type", "yarn").putFloat32(a + "rope.scaling.factor", (float) y.factor())
                    .putUInt32(a + "rope.scaling.original_context_length", y.originalContext())
                    .putFloat32(a + "rope.scaling.yarn_beta_fast", (float) y.betaFast())
                    .putFloat32(a + "rope.scaling.yarn_beta_slow", (float) y.betaSlow())
                    .putFloat32(a + "rope.scaling.yarn_log_multiplier", (float) (0.1 * y.mscaleAllDim()));
        } else if (!(c.rope().scaling() instanceof RopeScaling.None)) {
            throw w.refuse("RoPE scaling " + c.rope().scaling() + " is not converted for deepseek2");
        }
        w.globals(c, ExportWriter::same, false);
        List<TensorName> attention = mla.qLoraRank() > 0
                ? List.of(StandardParts.ATTN_NORM, DeepSeek2.Q_A, DeepSeek2.Q_A_NORM, DeepSeek2.Q_B)
                : List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q);
        List<TensorName> rest = List.of(DeepSeek2.KV_A, DeepSeek2.KV_A_NORM, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM);
        for (int l = 0; l < c.layers(); l++) {
            splitKvB(w.weights.require(DeepSeek2.KV_B.in(TensorFormat.HUGGING_FACE, l, ".weight")), c.heads(), mla, l, w);
            List<TensorName> names = new ArrayList<>(attention);
            names.addAll(rest);
            if (l < moe.denseLeading()) {
                names.addAll(List.of(StandardParts.FFN_GATE, StandardParts.FFN_UP, StandardParts.FFN_DOWN));
            } else {
                names.add(DeepSeek2.ROUTER);
                if (moe.shared() > 0) {
                    names.addAll(List.of(DeepSeek2.GATE_SHEXP, DeepSeek2.UP_SHEXP, DeepSeek2.DOWN_SHEXP));
                }
                Optional<Tensor> b = w.weights.find(DeepSeek2.ROUTER_BIAS.in(TensorFormat.HUGGING_FACE, l, ""));
                if (b.isPresent()) {
                    w.put(DeepSeek2.ROUTER_BIAS.in(TensorFormat.GGUF, l, ".bias"), b.get());
                }
                for (TensorName e : List.of(DeepSeek2.GATE_EXPS, DeepSeek2.UP_EXPS, DeepSeek2.DOWN_EXPS)) {
                    w.stacked(e, l, moe.experts());
                }
            }
            for (TensorName n : names) {
                w.put(n.in(TensorFormat.GGUF, l, ".weight"), w.weights.require(n.in(TensorFormat.HUGGING_FACE, l, ".weight")));
            }
        }
    }

    /**
     * {@code kv_b [H(N + V), L]} as llama.cpp's converter splits it: per head the N key rows,
     * transposed, as {@code attn_k_b [H, L, N]} (what the absorbed query product reads) and the V value
     * rows as {@code attn_v_b [H, V, L]}, both of the checkpoint's type.
     */
    private static void splitKvB(Tensor kvB, int heads, DeepSeek2.Mla mla, int layer, ExportWriter w) {
        int n = mla.nopeDim(), v = mla.valueDim(), l = mla.kvLoraRank();
        Tensor perHead = kvB.reshape(heads, n + v, l);
        Tensor kB = perHead.narrow(1, 0, n).transpose(1, 2).contiguous(w.arena);
        Tensor vB = perHead.narrow(1, n, v).contiguous(w.arena);
        w.out.addTensor(DeepSeek2.K_B.in(TensorFormat.GGUF, layer, ".weight"), kB);
        w.out.addTensor(DeepSeek2.V_B.in(TensorFormat.GGUF, layer, ".weight"), vB);
    }
}
