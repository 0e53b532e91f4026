package dev.panamax.jmh.synth;

import dev.panamax.formats.gguf.GgufWriter;

/**
 * The {@code <arch>.*} hyper-parameters of a {@link SynthShape}, under the keys llama.cpp's converter
 * writes for the real model (and llama.cpp's loader and Panamax's families read).
 */
final class SynthMetadata {
    private SynthMetadata() {
    }

    static void write(GgufWriter w, SynthShape s) {
        String a = s.architecture() + ".";
        w.putUInt32(a + "context_length", s.context());
        w.putUInt32(a + "embedding_length", s.dim());
        w.putUInt32(a + "block_count", s.layers());
        w.putUInt32(a + "feed_forward_length", s.ffn());
        w.putUInt32(a + "attention.head_count", s.heads());
        w.putFloat32(a + "rope.freq_base", s.ropeTheta());
        w.putUInt32(a + "vocab_size", s.vocab());
        float eps = switch (s.architecture()) {
            case "qwen3", "qwen3moe", "gemma3", "deepseek2" -> 1e-6f; // their config.json's rms_norm_eps
            default -> 1e-5f;
        };
        w.putFloat32(a + "attention.layer_norm_rms_epsilon", eps);
        if (s.latent() != null) {
            latent(w, a, s);
        } else {
            w.putUInt32(a + "attention.head_count_kv", s.kvHeads());
            w.putUInt32(a + "rope.dimension_count", SynthLayout.ropeDims(s));
            if (!s.architecture().equals("llama") && !s.architecture().equals("phi3")) {
                w.putUInt32(a + "attention.key_length", s.headDim());
                w.putUInt32(a + "attention.value_length", s.headDim());
            }
        }
        if (s.experts() != null) {
            w.putUInt32(a + "expert_count", s.experts().count());
            w.putUInt32(a + "expert_used_count", s.experts().used());
            w.putUInt32(a + "expert_feed_forward_length", s.experts().ffn());
        }
        switch (s.architecture()) {
            case "gemma3" -> {
                w.putUInt32(a + "attention.sliding_window", s.window()); // llama.cpp's default pattern: 5 windowed, 1 global
                w.putFloat32(a + "rope.freq_base_swa", 10_000f);          // rope_local_base_freq
            }
            case "phi3" -> {
                w.putUInt32(a + "rope.scaling.original_context_length", 4096);
                // LongRoPE's attention factor sqrt(1 + ln(131072 / 4096) / ln(4096))
                w.putFloat32(a + "rope.scaling.attn_factor", (float) Math.sqrt(1 + Math.log(32) / Math.log(4096)));
            }
            case "gpt-oss" -> {
                w.putUInt32(a + "attention.sliding_window", s.window()); // even layers (llama.cpp's pattern 2)
                w.putString(a + "rope.scaling.type", "yarn");
                w.putFloat32(a + "rope.scaling.factor", 32f);
                w.putUInt32(a + "rope.scaling.original_context_length", 4096);
            }
            default -> { }
        }
    }

    /** DeepSeek-V2's MLA in llama.cpp's layout (one shared latent "head"), softmax routing, YaRN. */
    private static void latent(GgufWriter w, String a, SynthShape s) {
        SynthShape.Latent l = s.latent();
        SynthShape.Experts e = s.experts();
        w.putUInt32(a + "attention.head_count_kv", 1);
        w.putUInt32(a + "rope.dimension_count", l.rope());
        w.putUInt32(a + "attention.q_lora_rank", l.qLora()); // llama.cpp needs it (0: none) unless the model has 26 or 27 blocks
        w.putUInt32(a + "attention.kv_lora_rank", l.kvLora());
        w.putUInt32(a + "attention.key_length", l.kvLora() + l.rope());
        w.putUInt32(a + "attention.value_length", l.kvLora());
        w.putUInt32(a + "attention.key_length_mla", l.nope() + l.rope());
        w.putUInt32(a + "attention.value_length_mla", l.value());
        w.putUInt32(a + "leading_dense_block_count", e.denseLayers());
        w.putUInt32(a + "expert_shared_count", e.shared());
        w.putFloat32(a + "expert_weights_scale", 1f);  // routed_scaling_factor
        w.putBool(a + "expert_weights_norm", false);   // norm_topk_prob
        w.putUInt32(a + "expert_gating_func", 1);      // softmax
        w.putString(a + "rope.scaling.type", "yarn");
        w.putFloat32(a + "rope.scaling.factor", 40f);
        w.putUInt32(a + "rope.scaling.original_context_length", 4096);
        w.putFloat32(a + "rope.scaling.yarn_log_multiplier", 0.0707f); // 0.1 · mscale_all_dim
    }
}
