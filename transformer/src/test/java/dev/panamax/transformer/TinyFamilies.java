package dev.panamax.transformer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/** The {@link TinyFamilyModel}s of each family, with the family's own metadata and config.json fields. */
final class TinyFamilies {
    private TinyFamilies() {
    }

    /** LongRoPE settings of a tiny Phi-3: divisors per rotated pair and the original context. */
    record LongRope(float[] shortFactors, float[] longFactors, int originalContext) {
        /** transformers' default attention factor for {@code maxPositions}. */
        double attentionFactor(int maxPositions) {
            double s = (double) maxPositions / originalContext;
            return s <= 1 ? 1 : Math.sqrt(1 + Math.log(s) / Math.log(originalContext));
        }
    }

    /**
     * Phi-3: dim 64, 4 query heads over 2 KV heads of 16, ffn 96, 2 layers, vocab 100, context 64;
     * fused {@code attn_qkv} / {@code qkv_proj} and {@code ffn_up} / {@code gate_up_proj}, RoPE over
     * {@code ropeDims} entries of each head, LongRoPE with original context 16 (so that allocating 64
     * positions selects the long factors and 16 the short), sliding window {@code window} (0: none).
     */
    static TinyFamilyModel phi3(Random r, boolean tied, int ropeDims, int window, LongRope longRope) {
        return phi3(r, 64, 96, 2, 4, 2, 100, 64, tied, ropeDims, window, longRope);
    }

    /** Phi-3 of any shape (for llama.cpp: rows of 256 for Q4_K). */
    static TinyFamilyModel phi3(Random r, int dim, int ffn, int layers, int heads, int kvHeads, int vocab, int context, boolean tied,
                                int ropeDims, int window, LongRope longRope) {
        TinyFamilyModel m = new TinyFamilyModel("phi3", "phi3", dim, ffn, layers, heads, kvHeads, vocab, context, tied, r);
        int q = heads * m.headDim, kv = kvHeads * m.headDim;
        m.embedding("model.embed_tokens.weight").gain("output_norm.weight", "model.norm.weight", dim);
        if (!tied) {
            m.matrix("output.weight", "lm_head.weight", vocab, dim);
        }
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".", h = "model.layers." + l + ".";
            m.gain(b + "attn_norm.weight", h + "input_layernorm.weight", dim);
            m.matrix(b + "attn_qkv.weight", h + "self_attn.qkv_proj.weight", q + 2 * kv, dim);
            m.matrix(b + "attn_output.weight", h + "self_attn.o_proj.weight", dim, q);
            m.gain(b + "ffn_norm.weight", h + "post_attention_layernorm.weight", dim);
            m.matrix(b + "ffn_up.weight", h + "mlp.gate_up_proj.weight", 2 * ffn, dim);
            m.matrix(b + "ffn_down.weight", h + "mlp.down_proj.weight", dim, ffn);
        }
        m.metadata.add(w -> {
            w.putFloat32("phi3.attention.layer_norm_rms_epsilon", m.eps);
            w.putUInt32("phi3.rope.dimension_count", ropeDims);
            w.putUInt32("phi3.attention.sliding_window", window);
        });
        m.config.add("\"rms_norm_eps\": " + m.eps);
        m.config.add("\"partial_rotary_factor\": " + (double) ropeDims / m.headDim);
        if (window > 0) {
            m.config.add("\"sliding_window\": " + window);
        }
        if (longRope != null) {
            m.put("rope_factors_short.weight", null, longRope.shortFactors(), ropeDims / 2);
            m.put("rope_factors_long.weight", null, longRope.longFactors(), ropeDims / 2);
            m.metadata.add(w -> {
                w.putUInt32("phi3.rope.scaling.original_context_length", longRope.originalContext());
                w.putFloat32("phi3.rope.scaling.attn_factor", (float) longRope.attentionFactor(context));
            });
            m.config.add("\"original_max_position_embeddings\": " + longRope.originalContext());
            m.config.add("\"rope_scaling\": {\"type\": \"longrope\", \"short_factor\": " + json(longRope.shortFactors())
                    + ", \"long_factor\": " + json(longRope.longFactors()) + "}");
        }
        return m;
    }

    /**
     * OLMo 2: dim 64, 4 query heads over 2 KV heads of 16, ffn 96, 2 layers, vocab 100; no pre-norms,
     * {@code post_attention_norm} / {@code post_ffw_norm} after the sub-layers, Q/K norms over the
     * whole projections ({@code [64]} and {@code [32]}).
     */
    static TinyFamilyModel olmo2(Random r, boolean tied) {
        return olmo2(r, 64, 96, 2, 4, 2, 100, 64, tied);
    }

    static TinyFamilyModel olmo2(Random r, int dim, int ffn, int layers, int heads, int kvHeads, int vocab, int context, boolean tied) {
        TinyFamilyModel m = new TinyFamilyModel("olmo2", "olmo2", dim, ffn, layers, heads, kvHeads, vocab, context, tied, r);
        int q = heads * m.headDim, kv = kvHeads * m.headDim;
        m.embedding("model.embed_tokens.weight").gain("output_norm.weight", "model.norm.weight", dim);
        if (!tied) {
            m.matrix("output.weight", "lm_head.weight", vocab, dim);
        }
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".", h = "model.layers." + l + ".";
            m.matrix(b + "attn_q.weight", h + "self_attn.q_proj.weight", q, dim);
            m.matrix(b + "attn_k.weight", h + "self_attn.k_proj.weight", kv, dim);
            m.matrix(b + "attn_v.weight", h + "self_attn.v_proj.weight", kv, dim);
            m.matrix(b + "attn_output.weight", h + "self_attn.o_proj.weight", dim, q);
            m.gain(b + "attn_q_norm.weight", h + "self_attn.q_norm.weight", q);
            m.gain(b + "attn_k_norm.weight", h + "self_attn.k_norm.weight", kv);
            m.gain(b + "post_attention_norm.weight", h + "post_attention_layernorm.weight", dim);
            m.matrix(b + "ffn_gate.weight", h + "mlp.gate_proj.weight", ffn, dim);
            m.matrix(b + "ffn_up.weight", h + "mlp.up_proj.weight", ffn, dim);
            m.matrix(b + "ffn_down.weight", h + "mlp.down_proj.weight", dim, ffn);
            m.gain(b + "post_ffw_norm.weight", h + "post_feedforward_layernorm.weight", dim);
        }
        m.metadata.add(w -> {
            w.putFloat32("olmo2.attention.layer_norm_rms_epsilon", m.eps);
            w.putUInt32("olmo2.rope.dimension_count", m.headDim);
        });
        m.config.add("\"rms_norm_eps\": " + m.eps);
        m.config.add("\"attention_bias\": false");
        return m;
    }

    /** Granite's four scalars. */
    record GraniteScales(double embedding, double residual, double attention, double logits) {}

    /**
     * Granite: dim 64, 4 query heads over 2 KV heads of 16, ffn 96, 2 layers, vocab 100; Llama's
     * tensors (Q/K rows permuted in GGUF as llama.cpp's converter does), optional attention biases,
     * and the four scalars.
     */
    static TinyFamilyModel granite(Random r, boolean tied, boolean bias, GraniteScales s) {
        return granite(r, 64, 96, 2, 4, 2, 100, 64, tied, bias, s);
    }

    static TinyFamilyModel granite(Random r, int dim, int ffn, int layers, int heads, int kvHeads, int vocab, int context, boolean tied,
                                   boolean bias, GraniteScales s) {
        TinyFamilyModel m = new TinyFamilyModel("granite", "granite", dim, ffn, layers, heads, kvHeads, vocab, context, tied, r);
        int q = heads * m.headDim, kv = kvHeads * m.headDim;
        m.embedding("model.embed_tokens.weight").gain("output_norm.weight", "model.norm.weight", dim);
        if (!tied) {
            m.matrix("output.weight", "lm_head.weight", vocab, dim);
        }
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".", h = "model.layers." + l + ".";
            m.gain(b + "attn_norm.weight", h + "input_layernorm.weight", dim);
            m.matrix(b + "attn_q.weight", h + "self_attn.q_proj.weight", q, dim);
            m.matrix(b + "attn_k.weight", h + "self_attn.k_proj.weight", kv, dim);
            m.matrix(b + "attn_v.weight", h + "self_attn.v_proj.weight", kv, dim);
            m.matrix(b + "attn_output.weight", h + "self_attn.o_proj.weight", dim, q);
            m.permuted.put(b + "attn_q.weight", heads);
            m.permuted.put(b + "attn_k.weight", kvHeads);
            if (bias) {
                m.vector(b + "attn_q.bias", h + "self_attn.q_proj.bias", q, 0.5);
                m.vector(b + "attn_k.bias", h + "self_attn.k_proj.bias", kv, 0.5);
                m.vector(b + "attn_v.bias", h + "self_attn.v_proj.bias", kv, 0.5);
                m.vector(b + "attn_output.bias", h + "self_attn.o_proj.bias", dim, 0.5);
                m.permuted.put(b + "attn_q.bias", heads);
                m.permuted.put(b + "attn_k.bias", kvHeads);
            }
            m.gain(b + "ffn_norm.weight", h + "post_attention_layernorm.weight", dim);
            m.matrix(b + "ffn_gate.weight", h + "mlp.gate_proj.weight", ffn, dim);
            m.matrix(b + "ffn_up.weight", h + "mlp.up_proj.weight", ffn, dim);
            m.matrix(b + "ffn_down.weight", h + "mlp.down_proj.weight", dim, ffn);
        }
        m.metadata.add(w -> {
            w.putFloat32("granite.attention.layer_norm_rms_epsilon", m.eps);
            w.putUInt32("granite.rope.dimension_count", m.headDim);
            w.putFloat32("granite.embedding_scale", (float) s.embedding());
            w.putFloat32("granite.residual_scale", (float) s.residual());
            w.putFloat32("granite.attention.scale", (float) s.attention());
            w.putFloat32("granite.logit_scale", (float) s.logits());
        });
        m.config.add("\"rms_norm_eps\": " + m.eps);
        m.config.add("\"attention_bias\": " + bias);
        m.config.add("\"embedding_multiplier\": " + (float) s.embedding());
        m.config.add("\"residual_multiplier\": " + (float) s.residual());
        m.config.add("\"attention_multiplier\": " + (float) s.attention());
        m.config.add("\"logits_scaling\": " + (float) s.logits());
        return m;
    }

    /**
     * StarCoder 2: dim 64, 4 query heads over 2 KV heads of 16, ffn 96, 2 layers, vocab 100; LayerNorms
     * with biases, biases on every projection, {@code c_fc} / {@code c_proj} GELU MLP, sliding window
     * {@code window} (0: none). Tied unless {@code tied} is false; {@code sayTied} false leaves
     * {@code tie_word_embeddings} out of config.json (Starcoder2Config's default is true).
     */
    static TinyFamilyModel starcoder2(Random r, boolean tied, boolean sayTied, int window) {
        return starcoder2(r, 64, 96, 2, 4, 2, 100, 64, tied, sayTied, window);
    }

    static TinyFamilyModel starcoder2(Random r, int dim, int ffn, int layers, int heads, int kvHeads, int vocab, int context,
                                      boolean tied, boolean sayTied, int window) {
        TinyFamilyModel m = new TinyFamilyModel("starcoder2", "starcoder2", dim, ffn, layers, heads, kvHeads, vocab, context, tied, r);
        int q = heads * m.headDim, kv = kvHeads * m.headDim;
        m.embedding("model.embed_tokens.weight").gain("output_norm.weight", "model.norm.weight", dim)
                .vector("output_norm.bias", "model.norm.bias", dim, 0.2);
        if (!tied) {
            m.matrix("output.weight", "lm_head.weight", vocab, dim);
        }
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".", h = "model.layers." + l + ".";
            m.gain(b + "attn_norm.weight", h + "input_layernorm.weight", dim);
            m.vector(b + "attn_norm.bias", h + "input_layernorm.bias", dim, 0.2);
            m.matrix(b + "attn_q.weight", h + "self_attn.q_proj.weight", q, dim);
            m.vector(b + "attn_q.bias", h + "self_attn.q_proj.bias", q, 0.5);
            m.matrix(b + "attn_k.weight", h + "self_attn.k_proj.weight", kv, dim);
            m.vector(b + "attn_k.bias", h + "self_attn.k_proj.bias", kv, 0.5);
            m.matrix(b + "attn_v.weight", h + "self_attn.v_proj.weight", kv, dim);
            m.vector(b + "attn_v.bias", h + "self_attn.v_proj.bias", kv, 0.5);
            m.matrix(b + "attn_output.weight", h + "self_attn.o_proj.weight", dim, q);
            m.vector(b + "attn_output.bias", h + "self_attn.o_proj.bias", dim, 0.5);
            m.gain(b + "ffn_norm.weight", h + "post_attention_layernorm.weight", dim);
            m.vector(b + "ffn_norm.bias", h + "post_attention_layernorm.bias", dim, 0.2);
            m.matrix(b + "ffn_up.weight", h + "mlp.c_fc.weight", ffn, dim);
            m.vector(b + "ffn_up.bias", h + "mlp.c_fc.bias", ffn, 0.5);
            m.matrix(b + "ffn_down.weight", h + "mlp.c_proj.weight", dim, ffn);
            m.vector(b + "ffn_down.bias", h + "mlp.c_proj.bias", dim, 0.5);
        }
        m.metadata.add(w -> {
            w.putFloat32("starcoder2.attention.layer_norm_epsilon", m.eps);
            w.putUInt32("starcoder2.rope.dimension_count", m.headDim);
            if (window > 0) {
                w.putUInt32("starcoder2.attention.sliding_window", window);
            }
        });
        m.config.add("\"norm_epsilon\": " + m.eps);
        m.config.add("\"use_bias\": true");
        m.config.add("\"hidden_act\": \"gelu_pytorch_tanh\"");
        if (window > 0) {
            m.config.add("\"sliding_window\": " + window);
        }
        m.omitTied = !sayTied;
        return m;
    }

    /** Random LongRoPE divisors for {@code ropeDims}: short in [1, 1.5), long in [1, 8). */
    static LongRope longRope(Random r, int ropeDims, int originalContext) {
        float[] s = new float[ropeDims / 2], l = new float[ropeDims / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = 1 + 0.5f * r.nextFloat();
            l[i] = 1 + 7 * r.nextFloat();
        }
        return new LongRope(s, l, originalContext);
    }

    static String json(float[] values) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s", Float.toString(values[i])));
        }
        return b.append(']').toString();
    }

    static float[] copy(float[] f) {
        return Arrays.copyOf(f, f.length);
    }
}
