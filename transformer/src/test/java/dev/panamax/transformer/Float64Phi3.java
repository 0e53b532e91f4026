package dev.panamax.transformer;

/**
 * Phi-3 in float64, from transformers' {@code modeling_phi3.py}: {@code Phi3DecoderLayer} (pre-norm,
 * RMSNorm), {@code Phi3Attention} (one {@code qkv_proj} sliced as q | k | v, partial rotary on the
 * first {@code ropeDims} entries with cos and sin times the LongRoPE attention factor, scaling
 * {@code head_dim ** -0.5}, sliding window), {@code Phi3MLP} ({@code gate_up_proj} chunked as
 * gate | up, {@code up * silu(gate)}).
 */
final class Float64Phi3 extends Float64Decoder {
    private final double[] freq;
    private final double mscale;
    private final int window;

    /**
     * @param divisors the LongRoPE factors in use (null for plain RoPE)
     * @param mscale   the LongRoPE attention factor (1 for none)
     * @param window   the sliding window (0 for none)
     */
    Float64Phi3(TinyFamilyModel m, int ropeDims, float[] divisors, double mscale, int window) {
        super(m);
        this.freq = frequencies(m.theta, ropeDims, divisors);
        this.mscale = mscale;
        this.window = window;
    }

    @Override
    double[] step(int token) {
        double[] x = embed(token, 1);
        int q = heads * headDim, kv = kvHeads * headDim;
        for (int l = 0; l < m.layers; l++) {
            String b = "blk." + l + ".";
            double[] h = rmsNorm(x, m.w(b + "attn_norm.weight"), m.eps);
            float[] qkv = m.w(b + "attn_qkv.weight");
            double[] qv = matvec(qkv, h, 0, q, null);
            double[] kvec = matvec(qkv, h, q, kv, null);
            double[] vvec = matvec(qkv, h, q + kv, kv, null);
            rope(qv, heads, freq, mscale);
            rope(kvec, kvHeads, freq, mscale);
            keys[l][pos] = kvec;
            values[l][pos] = vvec;
            double[] att = attention(qv, l, 1 / Math.sqrt(headDim), window);
            addScaled(x, matvec(m.w(b + "attn_output.weight"), att, m.dim), 1);
            h = rmsNorm(x, m.w(b + "ffn_norm.weight"), m.eps);
            float[] gateUp = m.w(b + "ffn_up.weight");
            double[] gate = matvec(gateUp, h, 0, m.ffn, null);
            double[] up = matvec(gateUp, h, m.ffn, m.ffn, null);
            for (int i = 0; i < m.ffn; i++) {
                up[i] *= silu(gate[i]);
            }
            addScaled(x, matvec(m.w(b + "ffn_down.weight"), up, m.dim), 1);
        }
        pos++;
        return logits(rmsNorm(x, m.w("output_norm.weight"), m.eps));
    }
}
