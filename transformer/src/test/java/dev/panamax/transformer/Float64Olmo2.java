package dev.panamax.transformer;

/**
 * OLMo 2 in float64, from transformers' {@code modeling_olmo2.py}: {@code Olmo2DecoderLayer}
 * ({@code h = x + post_attention_layernorm(self_attn(x))}, {@code out = h + post_feedforward_layernorm(mlp(h))}),
 * {@code Olmo2Attention} ({@code q_norm(q_proj(x))}, {@code k_norm(k_proj(x))} over the whole
 * projections, then the heads, RoPE, scaling {@code head_dim ** -0.5}), SwiGLU MLP.
 */
final class Float64Olmo2 extends Float64Decoder {
    private final double[] freq;

    Float64Olmo2(TinyFamilyModel m) {
        super(m);
        this.freq = frequencies(m.theta, m.headDim, null);
    }

    @Override
    double[] step(int token) {
        double[] x = embed(token, 1);
        int q = heads * headDim, kv = kvHeads * headDim;
        for (int l = 0; l < m.layers; l++) {
            String b = "blk." + l + ".";
            double[] qv = rmsNorm(matvec(m.w(b + "attn_q.weight"), x, q), m.w(b + "attn_q_norm.weight"), m.eps);
            double[] kvec = rmsNorm(matvec(m.w(b + "attn_k.weight"), x, kv), m.w(b + "attn_k_norm.weight"), m.eps);
            double[] vvec = matvec(m.w(b + "attn_v.weight"), x, kv);
            rope(qv, heads, freq, 1);
            rope(kvec, kvHeads, freq, 1);
            keys[l][pos] = kvec;
            values[l][pos] = vvec;
            double[] att = matvec(m.w(b + "attn_output.weight"), attention(qv, l, 1 / Math.sqrt(headDim), 0), m.dim);
            addScaled(x, rmsNorm(att, m.w(b + "post_attention_norm.weight"), m.eps), 1);
            double[] gate = matvec(m.w(b + "ffn_gate.weight"), x, m.ffn);
            double[] up = matvec(m.w(b + "ffn_up.weight"), x, m.ffn);
            for (int i = 0; i < m.ffn; i++) {
                up[i] *= silu(gate[i]);
            }
            addScaled(x, rmsNorm(matvec(m.w(b + "ffn_down.weight"), up, m.dim), m.w(b + "post_ffw_norm.weight"), m.eps), 1);
        }
        pos++;
        return logits(rmsNorm(x, m.w("output_norm.weight"), m.eps));
    }
}
