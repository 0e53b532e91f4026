package dev.panamax.transformer;

/**
 * StarCoder 2 in float64, from transformers' {@code modeling_starcoder2.py}: {@code Starcoder2DecoderLayer}
 * (pre-norm with {@code nn.LayerNorm(norm_epsilon)}), {@code Starcoder2Attention} (biases, RoPE,
 * scaling {@code head_dim ** -0.5}, sliding window), {@code Starcoder2MLP}
 * ({@code c_proj(gelu_pytorch_tanh(c_fc(x)))}), final LayerNorm, tied or own output.
 */
final class Float64Starcoder2 extends Float64Decoder {
    private final double[] freq;
    private final int window;

    Float64Starcoder2(TinyFamilyModel m, int window) {
        super(m);
        this.freq = frequencies(m.theta, m.headDim, null);
        this.window = window;
    }

    @Override
    double[] step(int token) {
        double[] x = embed(token, 1);
        int q = heads * headDim, kv = kvHeads * headDim;
        for (int l = 0; l < m.layers; l++) {
            String b = "blk." + l + ".";
            double[] h = layerNorm(x, m.w(b + "attn_norm.weight"), m.w(b + "attn_norm.bias"), m.eps);
            double[] qv = matvec(m.w(b + "attn_q.weight"), h, 0, q, m.w(b + "attn_q.bias"));
            double[] kvec = matvec(m.w(b + "attn_k.weight"), h, 0, kv, m.w(b + "attn_k.bias"));
            double[] vvec = matvec(m.w(b + "attn_v.weight"), h, 0, kv, m.w(b + "attn_v.bias"));
            rope(qv, heads, freq, 1);
            rope(kvec, kvHeads, freq, 1);
            keys[l][pos] = kvec;
            values[l][pos] = vvec;
            double[] att = attention(qv, l, 1 / Math.sqrt(headDim), window);
            addScaled(x, matvec(m.w(b + "attn_output.weight"), att, 0, m.dim, m.w(b + "attn_output.bias")), 1);
            h = layerNorm(x, m.w(b + "ffn_norm.weight"), m.w(b + "ffn_norm.bias"), m.eps);
            double[] up = matvec(m.w(b + "ffn_up.weight"), h, 0, m.ffn, m.w(b + "ffn_up.bias"));
            for (int i = 0; i < m.ffn; i++) {
                up[i] = geluTanh(up[i]);
            }
            addScaled(x, matvec(m.w(b + "ffn_down.weight"), up, 0, m.dim, m.w(b + "ffn_down.bias")), 1);
        }
        pos++;
        return logits(layerNorm(x, m.w("output_norm.weight"), m.w("output_norm.bias"), m.eps));
    }
}
