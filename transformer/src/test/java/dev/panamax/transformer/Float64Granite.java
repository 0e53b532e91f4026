package dev.panamax.transformer;

/**
 * Granite in float64, from transformers' {@code modeling_granite.py}: {@code inputs_embeds *
 * embedding_multiplier}; {@code GraniteDecoderLayer} ({@code h = residual + attn_out *
 * residual_multiplier}, the same for the MLP); {@code GraniteAttention} (scaling
 * {@code attention_multiplier}, biases if {@code attention_bias}); {@code logits / logits_scaling}.
 * Reads the weights in Hugging Face layout (RoPE on halves).
 */
final class Float64Granite extends Float64Decoder {
    private final double[] freq;
    private final TinyFamilies.GraniteScales s;

    Float64Granite(TinyFamilyModel m, TinyFamilies.GraniteScales s) {
        super(m);
        this.freq = frequencies(m.theta, m.headDim, null);
        this.s = s;
    }

    @Override
    double[] step(int token) {
        double[] x = embed(token, (float) s.embedding());
        int q = heads * headDim, kv = kvHeads * headDim;
        double r = (float) s.residual();
        for (int l = 0; l < m.layers; l++) {
            String b = "blk." + l + ".";
            double[] h = rmsNorm(x, m.w(b + "attn_norm.weight"), m.eps);
            double[] qv = matvec(m.w(b + "attn_q.weight"), h, 0, q, m.w(b + "attn_q.bias"));
            double[] kvec = matvec(m.w(b + "attn_k.weight"), h, 0, kv, m.w(b + "attn_k.bias"));
            double[] vvec = matvec(m.w(b + "attn_v.weight"), h, 0, kv, m.w(b + "attn_v.bias"));
            rope(qv, heads, freq, 1);
            rope(kvec, kvHeads, freq, 1);
            keys[l][pos] = kvec;
            values[l][pos] = vvec;
            double[] att = attention(qv, l, (float) s.attention(), 0);
            addScaled(x, matvec(m.w(b + "attn_output.weight"), att, 0, m.dim, m.w(b + "attn_output.bias")), r);
            h = rmsNorm(x, m.w(b + "ffn_norm.weight"), m.eps);
            double[] gate = matvec(m.w(b + "ffn_gate.weight"), h, m.ffn);
            double[] up = matvec(m.w(b + "ffn_up.weight"), h, m.ffn);
            for (int i = 0; i < m.ffn; i++) {
                up[i] *= silu(gate[i]);
            }
            addScaled(x, matvec(m.w(b + "ffn_down.weight"), up, m.dim), r);
        }
        pos++;
        double[] logits = logits(rmsNorm(x, m.w("output_norm.weight"), m.eps));
        for (int i = 0; i < logits.length; i++) {
            logits[i] /= (float) s.logits();
        }
        return logits;
    }
}
