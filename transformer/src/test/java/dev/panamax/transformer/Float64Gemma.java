package dev.panamax.transformer;

/**
 * The test oracle for Gemma 1, 2 and 3: their forward pass in double precision, one token at a time,
 * written from transformers' {@code modeling_gemma.py}, {@code modeling_gemma2.py} and
 * {@code modeling_gemma3.py} on the Hugging Face weights and names of a {@link TinyGemma}
 * (independently of the production code and of {@link Float64Transformer}):
 *
 * <pre>
 *   h = embed_tokens[id] · sqrt(hidden_size)
 *   Gemma:     h += attn(norm(h));              h += mlp(norm(h))
 *   Gemma 2/3: h += post_norm(attn(norm(h)));   h += post_ffw_norm(mlp(pre_ffw_norm(h)))
 *   logits = norm(h) · embed_tokensᵀ (or lm_head);  Gemma 2: cap · tanh(logits / cap)
 * </pre>
 *
 * with {@code norm(x) = x / sqrt(mean(x²) + eps) · (1 + w)}, {@code mlp(x) = down(gelu_tanh(gate(x)) · up(x))},
 * attention scores {@code q·k · query_pre_attn_scalar^-1/2} (Gemma: {@code head_dim^-1/2}), soft-capped
 * (Gemma 2), masked to the last {@code sliding_window} positions on sliding layers; Gemma 3 normalizes
 * each head of q and k ({@code q_norm}, {@code k_norm}) before RoPE and rotates sliding layers with
 * {@code rope_local_base_freq}, global ones with {@code rope_theta} and the linear scaling.
 */
final class Float64Gemma {
    private final TinyGemma m;
    private final double[][][] keys, values;
    private final double[] globalFrequency, localFrequency;
    private final double scaling;
    private int pos;

    Float64Gemma(TinyGemma m) {
        this.m = m;
        keys = new double[m.layers][m.context][];
        values = new double[m.layers][m.context][];
        globalFrequency = frequencies(m.theta, m.headDim, m.kind == TinyGemma.Kind.GEMMA3 ? m.ropeLinearFactor : 1);
        // Gemma 2 has one rotary embedding (rope_theta) for all layers
        localFrequency = m.kind == TinyGemma.Kind.GEMMA3 ? frequencies(m.localTheta, m.headDim, 1) : globalFrequency;
        scaling = m.kind == TinyGemma.Kind.GEMMA ? 1 / Math.sqrt(m.headDim) : Math.pow(m.queryPreAttnScalar, -0.5);
    }

    /** The model it runs. */
    TinyGemma model() {
        return m;
    }

    /** inv_freq = 1 / (base^(2i/dim)), divided by a linear scaling factor. */
    private static double[] frequencies(double base, int dims, double linearFactor) {
        double[] f = new double[dims / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1 / Math.pow(base, 2.0 * i / dims) / linearFactor;
        }
        return f;
    }

    /** Processes {@code token} at the next position and returns the logits after it. */
    double[] step(int token) {
        boolean sandwich = m.kind != TinyGemma.Kind.GEMMA;
        float[] embedding = w("model.embed_tokens.weight");
        double normalizer = Math.sqrt(m.dim);
        double[] h = new double[m.dim];
        for (int i = 0; i < m.dim; i++) {
            h[i] = embedding[token * m.dim + i] * normalizer;
        }
        for (int l = 0; l < m.layers; l++) {
            String b = "model.layers." + l + ".";
            double[] a = attention(norm(h, w(b + "input_layernorm.weight")), l);
            if (sandwich) {
                a = norm(a, w(b + "post_attention_layernorm.weight"));
            }
            add(h, a);
            double[] x = norm(h, w(b + (sandwich ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight")));
            double[] f = mlp(x, b);
            if (sandwich) {
                f = norm(f, w(b + "post_feedforward_layernorm.weight"));
            }
            add(h, f);
        }
        pos++;
        double[] hf = norm(h, w("model.norm.weight"));
        double[] logits = matvec(m.tied ? embedding : w("lm_head.weight"), hf, m.vocab);
        if (m.finalSoftCap != 0) {
            for (int i = 0; i < logits.length; i++) {
                logits[i] = m.finalSoftCap * Math.tanh(logits[i] / m.finalSoftCap);
            }
        }
        return logits;
    }

    private double[] attention(double[] x, int l) {
        String b = "model.layers." + l + ".self_attn.";
        int d = m.headDim;
        double[] q = matvec(w(b + "q_proj.weight"), x, m.heads * d);
        double[] k = matvec(w(b + "k_proj.weight"), x, m.kvHeads * d);
        double[] v = matvec(w(b + "v_proj.weight"), x, m.kvHeads * d);
        if (m.kind == TinyGemma.Kind.GEMMA3) {
            headNorm(q, m.heads, w(b + "q_norm.weight"));
            headNorm(k, m.kvHeads, w(b + "k_norm.weight"));
        }
        boolean sliding = m.sliding(l);
        double[] frequency = sliding ? localFrequency : globalFrequency;
        rotateHalf(q, m.heads, frequency);
        rotateHalf(k, m.kvHeads, frequency);
        keys[l][pos] = k;
        values[l][pos] = v;
        // sliding layers: kv_idx > q_idx - sliding_window
        int first = sliding ? Math.max(0, pos - m.window + 1) : 0;
        double[] out = new double[m.heads * d];
        int group = m.heads / m.kvHeads;
        for (int hq = 0; hq < m.heads; hq++) {
            int g = hq / group;
            double[] score = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = first; j <= pos; j++) {
                double s = 0;
                for (int e = 0; e < d; e++) {
                    s += q[hq * d + e] * keys[l][j][g * d + e];
                }
                s *= scaling;
                if (m.attentionSoftCap != 0) {
                    s = m.attentionSoftCap * Math.tanh(s / m.attentionSoftCap);
                }
                score[j] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int j = first; j <= pos; j++) {
                score[j] = Math.exp(score[j] - max);
                sum += score[j];
            }
            for (int j = first; j <= pos; j++) {
                for (int e = 0; e < d; e++) {
                    out[hq * d + e] += score[j] / sum * values[l][j][g * d + e];
                }
            }
        }
        return matvec(w(b + "o_proj.weight"), out, m.dim);
    }

    /** apply_rotary_pos_emb: x·cos + rotate_half(x)·sin, with cos/sin of (freq, freq) over the head. */
    private void rotateHalf(double[] x, int nHeads, double[] frequency) {
        int half = m.headDim / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                int a = h * m.headDim + i, b = a + half;
                double angle = pos * frequency[i];
                double x1 = x[a], x2 = x[b];
                x[a] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
                x[b] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
            }
        }
    }

    /** down(gelu_pytorch_tanh(gate(x)) · up(x)). */
    private double[] mlp(double[] x, String b) {
        double[] g = matvec(w(b + "mlp.gate_proj.weight"), x, m.ffn);
        double[] u = matvec(w(b + "mlp.up_proj.weight"), x, m.ffn);
        double[] h = new double[m.ffn];
        for (int i = 0; i < m.ffn; i++) {
            double z = g[i];
            h[i] = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z))) * u[i];
        }
        return matvec(w(b + "mlp.down_proj.weight"), h, m.dim);
    }

    /** GemmaRMSNorm: x · rsqrt(mean(x²) + eps) · (1 + w). */
    private double[] norm(double[] x, float[] weight) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double r = 1 / Math.sqrt(ss / x.length + m.eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * r * (1 + (double) weight[i]);
        }
        return out;
    }

    private void headNorm(double[] x, int nHeads, float[] weight) {
        int d = m.headDim;
        for (int h = 0; h < nHeads; h++) {
            double[] one = new double[d];
            System.arraycopy(x, h * d, one, 0, d);
            System.arraycopy(norm(one, weight), 0, x, h * d, d);
        }
    }

    private float[] w(String name) {
        float[] v = m.weights.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the tiny model has no " + name);
        }
        return v;
    }

    private static double[] matvec(float[] w, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < x.length; c++) {
                s += w[r * x.length + c] * x[c];
            }
            out[r] = s;
        }
        return out;
    }

    private static void add(double[] x, double[] d) {
        for (int i = 0; i < x.length; i++) {
            x[i] += d[i];
        }
    }
}
