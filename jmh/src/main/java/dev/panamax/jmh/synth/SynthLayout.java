package dev.panamax.jmh.synth;

import java.util.ArrayList;
import java.util.List;

import dev.panamax.jmh.synth.SynthModel.Entry;
import dev.panamax.tensor.DType;

/**
 * The GGUF tensor table of a {@link SynthShape}, as llama.cpp's converter writes the real model: tensor
 * names, shapes (outermost first) and roles, all F32 here ({@link SynthModel#tensors} gives them
 * llama-quantize's types). Written from llama.cpp's {@code src/models/*.cpp} tensor lists.
 */
final class SynthLayout {
    private final SynthShape s;
    private final List<Entry> out = new ArrayList<>();

    private SynthLayout(SynthShape s) {
        this.s = s;
    }

    /** Every tensor of {@code shape}, F32, in file order. */
    static List<Entry> f32Tensors(SynthShape shape) {
        SynthLayout l = new SynthLayout(shape);
        l.build();
        return List.copyOf(l.out);
    }

    private void build() {
        matrix("", "token_embd", -1, s.vocab(), s.dim());
        if (s.architecture().equals("phi3")) {
            // LongRoPE's factors, one per rotated pair (partial_rotary_factor 0.75 of the head)
            vector("rope_factors_long.weight", "rope_factors", -1, ropeDims(s) / 2);
            vector("rope_factors_short.weight", "rope_factors", -1, ropeDims(s) / 2);
        }
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            vector(p + "attn_norm.weight", "norm", l, s.dim());
            switch (s.architecture()) {
                case "llama" -> {
                    attention(p, l, false, false);
                    vector(p + "ffn_norm.weight", "norm", l, s.dim());
                    denseFfn(p, l, s.ffn());
                }
                case "qwen3" -> {
                    attention(p, l, true, false);
                    vector(p + "ffn_norm.weight", "norm", l, s.dim());
                    denseFfn(p, l, s.ffn());
                }
                case "qwen3moe" -> {
                    attention(p, l, true, false);
                    vector(p + "ffn_norm.weight", "norm", l, s.dim());
                    experts(p, l, false);
                }
                case "gemma3" -> {
                    attention(p, l, true, false);
                    vector(p + "post_attention_norm.weight", "norm", l, s.dim());
                    vector(p + "ffn_norm.weight", "norm", l, s.dim());
                    denseFfn(p, l, s.ffn());
                    vector(p + "post_ffw_norm.weight", "norm", l, s.dim());
                }
                case "phi3" -> {
                    matrix(p, "attn_qkv", l, s.qDim() + 2L * s.kvDim(), s.dim());
                    matrix(p, "attn_output", l, s.dim(), s.qDim());
                    vector(p + "ffn_norm.weight", "norm", l, s.dim());
                    matrix(p, "ffn_up", l, 2L * s.ffn(), s.dim()); // gate and up, fused
                    matrix(p, "ffn_down", l, s.dim(), s.ffn());
                }
                case "deepseek2" -> {
                    latentAttention(p, l);
                    vector(p + "ffn_norm.weight", "norm", l, s.dim());
                    if (l < s.experts().denseLayers()) {
                        denseFfn(p, l, s.ffn());
                    } else {
                        experts(p, l, false);
                        int shared = s.experts().shared() * s.experts().ffn();
                        matrix(p, "ffn_gate_shexp", l, shared, s.dim());
                        matrix(p, "ffn_up_shexp", l, shared, s.dim());
                        matrix(p, "ffn_down_shexp", l, s.dim(), shared);
                    }
                }
                case "gpt-oss" -> {
                    attention(p, l, false, true);
                    vector(p + "attn_sinks.weight", "bias", l, s.heads());
                    vector(p + "post_attention_norm.weight", "norm", l, s.dim());
                    experts(p, l, true);
                }
                default -> throw new IllegalStateException(s.architecture());
            }
        }
        vector("output_norm.weight", "norm", -1, s.dim());
        if (!s.tiedEmbeddings()) {
            matrix("", "output", -1, s.vocab(), s.dim());
        }
    }

    /** Rotated entries per head: phi3's 0.75 of the head, DeepSeek's RoPE part, else the whole head. */
    static int ropeDims(SynthShape s) {
        return switch (s.architecture()) {
            case "phi3" -> s.headDim() * 3 / 4;
            case "deepseek2" -> s.latent().rope();
            default -> s.headDim();
        };
    }

    private void attention(String p, int l, boolean qkNorm, boolean biases) {
        matrix(p, "attn_q", l, s.qDim(), s.dim());
        matrix(p, "attn_k", l, s.kvDim(), s.dim());
        matrix(p, "attn_v", l, s.kvDim(), s.dim());
        matrix(p, "attn_output", l, s.dim(), s.qDim());
        if (qkNorm) {
            vector(p + "attn_q_norm.weight", "norm", l, s.headDim());
            vector(p + "attn_k_norm.weight", "norm", l, s.headDim());
        }
        if (biases) {
            vector(p + "attn_q.bias", "bias", l, s.qDim());
            vector(p + "attn_k.bias", "bias", l, s.kvDim());
            vector(p + "attn_v.bias", "bias", l, s.kvDim());
            vector(p + "attn_output.bias", "bias", l, s.dim());
        }
    }

    /** llama.cpp's MLA layout: per-head attn_k_b [H, L, N] and attn_v_b [H, V, L] instead of attn_kv_b. */
    private void latentAttention(String p, int l) {
        SynthShape.Latent a = s.latent();
        int h = s.heads();
        if (a.qLora() > 0) {
            matrix(p, "attn_q_a", l, a.qLora(), s.dim());
            vector(p + "attn_q_a_norm.weight", "norm", l, a.qLora());
            matrix(p, "attn_q_b", l, (long) h * (a.nope() + a.rope()), a.qLora());
        } else {
            matrix(p, "attn_q", l, (long) h * (a.nope() + a.rope()), s.dim());
        }
        matrix(p, "attn_kv_a_mqa", l, a.kvLora() + a.rope(), s.dim());
        vector(p + "attn_kv_a_norm.weight", "norm", l, a.kvLora());
        tensor(p + "attn_k_b.weight", "attn_k_b", l, h, a.kvLora(), a.nope());
        tensor(p + "attn_v_b.weight", "attn_v_b", l, h, a.value(), a.kvLora());
        matrix(p, "attn_output", l, s.dim(), (long) h * a.value());
    }

    private void denseFfn(String p, int l, int ffn) {
        matrix(p, "ffn_gate", l, ffn, s.dim());
        matrix(p, "ffn_up", l, ffn, s.dim());
        matrix(p, "ffn_down", l, s.dim(), ffn);
    }

    private void experts(String p, int l, boolean biases) {
        SynthShape.Experts e = s.experts();
        tensor(p + "ffn_gate_inp.weight", "router", l, e.count(), s.dim());
        if (biases) {
            vector(p + "ffn_gate_inp.bias", "bias", l, e.count());
        }
        tensor(p + "ffn_gate_exps.weight", "ffn_gate_exps", l, e.count(), e.ffn(), s.dim());
        tensor(p + "ffn_up_exps.weight", "ffn_up_exps", l, e.count(), e.ffn(), s.dim());
        tensor(p + "ffn_down_exps.weight", "ffn_down_exps", l, e.count(), s.dim(), e.ffn());
        if (biases) {
            tensor(p + "ffn_gate_exps.bias", "bias", l, e.count(), e.ffn());
            tensor(p + "ffn_up_exps.bias", "bias", l, e.count(), e.ffn());
            tensor(p + "ffn_down_exps.bias", "bias", l, e.count(), s.dim());
        }
    }

    private void matrix(String prefix, String role, int layer, long rows, long cols) {
        tensor(prefix + role + ".weight", role, layer, rows, cols);
    }

    private void vector(String name, String role, int layer, long n) {
        tensor(name, role, layer, n);
    }

    private void tensor(String name, String role, int layer, long... shape) {
        out.add(new Entry(name, role, layer, DType.F32, shape));
    }
}
