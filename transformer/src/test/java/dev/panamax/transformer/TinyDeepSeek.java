package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A small random DeepSeek model (GGUF {@code deepseek2}): weights under GGUF names in the layout both
 * formats share (kv_b whole), with writers for GGUF (either kv_b layout) and Hugging Face (config.json
 * of {@code deepseek_v3}, or {@code deepseek_v2} for {@link #v2Lite}; this test's own name table).
 * By default V3-style routing (sigmoid, selection bias, 4 groups, normalized, scaled by 2.5, 1 shared
 * expert); {@link #v2Lite} has V2-Lite's configuration instead.
 */
final class TinyDeepSeek {
    final int dim, layers = 3, heads = 4, nope, rope, vDim, kvLora, dense = 1, denseFfn;
    final int experts = 8, used = 2, expertFfn, shared, groups, groupsUsed, vocab, context;
    final int qLora;
    final double theta = 10000, routedScale;
    final float eps = 1e-6f;
    /** V2's softmax gating (else V3's sigmoid); a selection bias (exp_probs_b); top-k weights renormalized. */
    final boolean softmax, selectionBias, normalize;
    /** YaRN factor (1: none), original context, mscale = mscale_all_dim. */
    final double yarnFactor;
    final int yarnOriginal;
    final double mscale = 0.707;
    final Map<String, float[]> weights = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    /** dim 32, 4 heads of 8 + 4 RoPE (values 6), latent 16, 8 experts of 12 in 4 groups (2 used), vocab 64. */
    TinyDeepSeek(Random r, int qLora, double yarnFactor) {
        this(r, qLora, yarnFactor, false);
    }

    /**
     * With {@code forLlamaCpp}: every row a multiple of 32 entries (dim 256, heads of 32 + 16 RoPE,
     * values 32, latent 64, experts of 64, dense ffn 512, vocab 128) so that Q8_0 and Q4_K apply.
     */
    TinyDeepSeek(Random r, int qLora, double yarnFactor, boolean forLlamaCpp) {
        this(r, qLora, yarnFactor, forLlamaCpp, false);
    }

    /**
     * DeepSeek-V2-Lite's configuration (config.json of deepseek-ai/DeepSeek-V2-Lite): no q LoRA (one
     * {@code q_proj}), softmax gating without selection bias, groups or renormalization, routed scale 1,
     * 2 shared experts, YaRN ×40 with mscale = mscale_all_dim = 0.707, over an original context of 1024
     * (V2-Lite: 4096), long enough that the ramp between extrapolated and interpolated pairs has a pair
     * inside it, and a context of 40 times that (transformers takes the factor from their ratio).
     */
    static TinyDeepSeek v2Lite(Random r, boolean forLlamaCpp) {
        return new TinyDeepSeek(r, 0, 40, forLlamaCpp, true);
    }

    private TinyDeepSeek(Random r, int qLora, double yarnFactor, boolean forLlamaCpp, boolean lite) {
        this.softmax = lite;
        this.selectionBias = !lite;
        this.normalize = !lite;
        this.shared = lite ? 2 : 1;
        this.groups = lite ? 1 : 4;
        this.groupsUsed = lite ? 1 : 2;
        this.routedScale = lite ? 1 : 2.5;
        this.yarnOriginal = lite ? 1024 : 8;
        this.context = lite ? 40 * 1024 : 32;
        this.dim = forLlamaCpp ? 256 : 32;
        this.nope = forLlamaCpp ? 32 : 8;
        this.rope = forLlamaCpp ? 16 : 4;
        this.vDim = forLlamaCpp ? 32 : 6;
        this.kvLora = forLlamaCpp ? 64 : 16;
        this.denseFfn = forLlamaCpp ? 512 : 40;
        this.expertFfn = forLlamaCpp ? 64 : 12;
        this.vocab = forLlamaCpp ? 128 : 64;
        this.qLora = qLora;
        this.yarnFactor = yarnFactor;
        put("token_embd.weight", Seeded.gaussian(r, vocab * dim, 1), vocab, dim);
        put("output_norm.weight", gains(r, dim), dim);
        matrix(r, "output.weight", vocab, dim);
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            put(b + "attn_norm.weight", gains(r, dim), dim);
            if (qLora > 0) {
                matrix(r, b + "attn_q_a.weight", qLora, dim);
                put(b + "attn_q_a_norm.weight", gains(r, qLora), qLora);
                matrix(r, b + "attn_q_b.weight", heads * (nope + rope), qLora);
            } else {
                matrix(r, b + "attn_q.weight", heads * (nope + rope), dim);
            }
            matrix(r, b + "attn_kv_a_mqa.weight", kvLora + rope, dim);
            put(b + "attn_kv_a_norm.weight", gains(r, kvLora), kvLora);
            matrix(r, b + "attn_kv_b.weight", heads * (nope + vDim), kvLora);
            matrix(r, b + "attn_output.weight", dim, heads * vDim);
            put(b + "ffn_norm.weight", gains(r, dim), dim);
            if (l < dense) {
                matrix(r, b + "ffn_gate.weight", denseFfn, dim);
                matrix(r, b + "ffn_up.weight", denseFfn, dim);
                matrix(r, b + "ffn_down.weight", dim, denseFfn);
            } else {
                matrix(r, b + "ffn_gate_inp.weight", experts, dim);
                if (selectionBias) {
                    put(b + "exp_probs_b.bias", Seeded.gaussian(r, experts, 0.3), experts);
                }
                put(b + "ffn_gate_exps.weight", Seeded.gaussian(r, experts * expertFfn * dim, 1 / Math.sqrt(dim)), experts, expertFfn, dim);
                put(b + "ffn_up_exps.weight", Seeded.gaussian(r, experts * expertFfn * dim, 1 / Math.sqrt(dim)), experts, expertFfn, dim);
                put(b + "ffn_down_exps.weight", Seeded.gaussian(r, experts * dim * expertFfn, 1 / Math.sqrt(expertFfn)), experts, dim, expertFfn);
                int s = expertFfn * shared;
                matrix(r, b + "ffn_gate_shexp.weight", s, dim);
                matrix(r, b + "ffn_up_shexp.weight", s, dim);
                matrix(r, b + "ffn_down_shexp.weight", dim, s);
            }
        }
    }

    private static float[] gains(Random r, int n) {
        float[] g = Seeded.gaussian(r, n, 0.2);
        for (int i = 0; i < n; i++) {
            g[i] += 1;
        }
        return g;
    }

    private void matrix(Random r, String name, int rows, int cols) {
        put(name, Seeded.gaussian(r, rows * cols, 1 / Math.sqrt(cols)), rows, cols);
    }

    private void put(String name, float[] values, long... shape) {
        weights.put(name, values);
        shapes.put(name, shape);
    }

    /** Writes GGUF, with {@code attn_kv_b} whole ({@code split} false) or as attn_k_b / attn_v_b (llama.cpp's MLA layout). */
    Path writeGguf(Path file, boolean split) throws IOException {
        return writeGguf(file, split, w -> { });
    }

    /** As {@link #writeGguf(Path, boolean)}, letting {@code extra} add metadata (a vocabulary for llama.cpp). */
    Path writeGguf(Path file, boolean split, java.util.function.Consumer<GgufWriter> extra) throws IOException {
        GgufWriter w = new GgufWriter();
        String a = "deepseek2.";
        w.putString("general.architecture", "deepseek2");
        w.putString("general.name", "panamax tiny deepseek2");
        w.putUInt32(a + "context_length", context);
        w.putUInt32(a + "embedding_length", dim);
        w.putUInt32(a + "block_count", layers);
        w.putUInt32(a + "feed_forward_length", denseFfn);
        w.putUInt32(a + "attention.head_count", heads);
        w.putUInt32(a + "attention.head_count_kv", split ? 1 : heads);
        w.putUInt32(a + "rope.dimension_count", rope);
        w.putFloat32(a + "rope.freq_base", (float) theta);
        w.putFloat32(a + "attention.layer_norm_rms_epsilon", eps);
        w.putUInt32(a + "vocab_size", vocab);
        w.putUInt32(a + "attention.q_lora_rank", qLora);
        w.putUInt32(a + "attention.kv_lora_rank", kvLora);
        if (split) {
            w.putUInt32(a + "attention.key_length", kvLora + rope);
            w.putUInt32(a + "attention.value_length", kvLora);
            w.putUInt32(a + "attention.key_length_mla", nope + rope);
            w.putUInt32(a + "attention.value_length_mla", vDim);
        } else {
            w.putUInt32(a + "attention.key_length", nope + rope);
            w.putUInt32(a + "attention.value_length", vDim);
        }
        w.putUInt32(a + "leading_dense_block_count", dense);
        w.putUInt32(a + "expert_count", experts);
        w.putUInt32(a + "expert_used_count", used);
        w.putUInt32(a + "expert_feed_forward_length", expertFfn);
        w.putUInt32(a + "expert_shared_count", shared);
        w.putFloat32(a + "expert_weights_scale", (float) routedScale);
        w.putBool(a + "expert_weights_norm", normalize);
        w.putUInt32(a + "expert_gating_func", softmax ? 1 : 2);
        w.putUInt32(a + "expert_group_count", groups);
        w.putUInt32(a + "expert_group_used_count", groupsUsed);
        if (yarnFactor != 1) {
            w.putString(a + "rope.scaling.type", "yarn");
            w.putFloat32(a + "rope.scaling.factor", (float) yarnFactor);
            w.putUInt32(a + "rope.scaling.original_context_length", yarnOriginal);
            w.putFloat32(a + "rope.scaling.yarn_log_multiplier", (float) (0.1 * mscale));
        }
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            String name = e.getKey();
            if (split && name.endsWith("attn_kv_b.weight")) {
                String b = name.substring(0, name.length() - "attn_kv_b.weight".length());
                float[] kv = e.getValue();
                float[] k = new float[heads * kvLora * nope], v = new float[heads * vDim * kvLora];
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < nope; i++) {
                        for (int c = 0; c < kvLora; c++) {
                            k[(h * kvLora + c) * nope + i] = kv[(h * (nope + vDim) + i) * kvLora + c];
                        }
                    }
                    System.arraycopy(kv, (h * (nope + vDim) + nope) * kvLora, v, h * vDim * kvLora, vDim * kvLora);
                }
                w.addTensor(b + "attn_k_b.weight", DType.F32, new long[] {heads, kvLora, nope}, MemorySegment.ofArray(k));
                w.addTensor(b + "attn_v_b.weight", DType.F32, new long[] {heads, vDim, kvLora}, MemorySegment.ofArray(v));
                continue;
            }
            w.addTensor(name, DType.F32, shapes.get(name), MemorySegment.ofArray(e.getValue()));
        }
        extra.accept(w);
        w.write(file);
        return file;
    }

    /** Writes a {@code deepseek_v3} ({@link #v2Lite}: {@code deepseek_v2}) checkpoint of the same weights (stored as {@code storage}). */
    Path writeHf(Path dir, DType storage) throws IOException {
        Files.createDirectories(dir);
        String yarn = yarnFactor == 1 ? "" : """
                "rope_scaling": {"type": "yarn", "factor": %s, "original_max_position_embeddings": %d, "beta_fast": 32, "beta_slow": 1,
                 "mscale": %s, "mscale_all_dim": %s},""".formatted(yarnFactor, yarnOriginal, mscale, mscale);
        Files.writeString(dir.resolve("config.json"), """
                {%s "architectures": ["%s"], "model_type": "%s", "hidden_size": %d,
                 "intermediate_size": %d, "moe_intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "q_lora_rank": %s, "kv_lora_rank": %d, "qk_nope_head_dim": %d, "qk_rope_head_dim": %d,
                 "v_head_dim": %d, "n_routed_experts": %d, "num_experts_per_tok": %d, "n_shared_experts": %d, "n_group": %d,
                 "topk_group": %d, "first_k_dense_replace": %d, "norm_topk_prob": %s, "routed_scaling_factor": %s,
                 "scoring_func": "%s", "topk_method": "%s", "moe_layer_freq": 1, "vocab_size": %d,
                 "max_position_embeddings": %d, "rms_norm_eps": %s, "rope_theta": %s, "tie_word_embeddings": false,
                 "torch_dtype": "bfloat16"}
                """.formatted(yarn, softmax ? "DeepseekV2ForCausalLM" : "DeepseekV3ForCausalLM", softmax ? "deepseek_v2" : "deepseek_v3",
                dim, denseFfn, expertFfn, layers, heads, heads, qLora > 0 ? Integer.toString(qLora) : "null", kvLora,
                nope, rope, vDim, experts, used, shared, groups, groupsUsed, dense, normalize, routedScale, softmax ? "softmax" : "sigmoid",
                softmax ? "greedy" : "noaux_tc", vocab, context, Float.toString(eps),
                Double.toString(theta)));
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            for (Map.Entry<String, float[]> e : weights.entrySet()) {
                String name = e.getKey();
                long[] shape = shapes.get(name);
                if (name.endsWith("_exps.weight")) {
                    int size = (int) (shape[1] * shape[2]);
                    for (int x = 0; x < experts; x++) {
                        float[] one = Arrays.copyOfRange(e.getValue(), x * size, (x + 1) * size);
                        w.add(hfExpertName(name, x), Tensor.of(arena, one, shape[1], shape[2]).to(arena, storage));
                    }
                } else {
                    DType dt = name.endsWith("exp_probs_b.bias") ? DType.F32 : storage; // transformers keeps the bias in F32
                    w.add(hfName(name), Tensor.of(arena, e.getValue(), shape).to(arena, dt));
                }
            }
            w.write(dir.resolve("model.safetensors"));
        }
        return dir;
    }

    private static String hfExpertName(String gguf, int expert) {
        String[] p = gguf.split("\\.");
        String part = p[2].substring("ffn_".length(), p[2].length() - "_exps".length());
        return "model.layers." + p[1] + ".mlp.experts." + expert + "." + part + "_proj.weight";
    }

    /** True for the tensors transformers names {@code *_proj} (DeepSeek V3 stores them FP8): not the router, norms or embeddings. */
    static boolean isHfProjection(String gguf) {
        return gguf.endsWith("_exps.weight") || (gguf.startsWith("blk.") && hfName(gguf).matches(".*_proj(_with_mqa)?\\.weight"));
    }

    /** transformers' DeepSeek names (this test's own table). */
    static String hfName(String gguf) {
        switch (gguf) {
            case "token_embd.weight" -> { return "model.embed_tokens.weight"; }
            case "output_norm.weight" -> { return "model.norm.weight"; }
            case "output.weight" -> { return "lm_head.weight"; }
            default -> { }
        }
        String[] p = gguf.split("\\.");
        String layer = "model.layers." + p[1] + ".";
        if (p[2].equals("exp_probs_b")) {
            return layer + "mlp.gate.e_score_correction_bias";
        }
        String hf = switch (p[2]) {
            case "attn_norm" -> "input_layernorm";
            case "ffn_norm" -> "post_attention_layernorm";
            case "attn_q_a" -> "self_attn.q_a_proj";
            case "attn_q_a_norm" -> "self_attn.q_a_layernorm";
            case "attn_q_b" -> "self_attn.q_b_proj";
            case "attn_q" -> "self_attn.q_proj";
            case "attn_kv_a_mqa" -> "self_attn.kv_a_proj_with_mqa";
            case "attn_kv_a_norm" -> "self_attn.kv_a_layernorm";
            case "attn_kv_b" -> "self_attn.kv_b_proj";
            case "attn_output" -> "self_attn.o_proj";
            case "ffn_gate" -> "mlp.gate_proj";
            case "ffn_up" -> "mlp.up_proj";
            case "ffn_down" -> "mlp.down_proj";
            case "ffn_gate_inp" -> "mlp.gate";
            case "ffn_gate_shexp" -> "mlp.shared_experts.gate_proj";
            case "ffn_up_shexp" -> "mlp.shared_experts.up_proj";
            case "ffn_down_shexp" -> "mlp.shared_experts.down_proj";
            default -> throw new IllegalArgumentException("no Hugging Face name for " + gguf);
        };
        return layer + hf + "." + p[3];
    }
}
