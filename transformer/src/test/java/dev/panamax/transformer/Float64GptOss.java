package dev.panamax.transformer;

import java.util.Map;

/**
 * The test oracle for gpt-oss: its forward pass in double precision, one token at a time, written
 * from transformers' {@code modeling_gpt_oss.py} independently of the production code:
 * {@code GptOssRMSNorm}, {@code GptOssAttention} (biased q/k/v/o, {@code _apply_rotary_emb} on the
 * halves with cos and sin times YaRN's attention factor, {@code eager_attention_forward}: scores
 * {@code q·k / sqrt(D)}, the sliding-window mask, the sink concatenated as one more logit, softmax,
 * the sink's column dropped), {@code GptOssTopKRouter} (biased logits, top-k, softmax over those k),
 * {@code GptOssExperts} (biased gate/up, {@code gate.clamp(max=limit)}, {@code up.clamp(-limit, limit)},
 * {@code (up + 1) * gate * sigmoid(gate * alpha)}, biased down, weighted sum).
 */
final class Float64GptOss {
    /** Switches that break one feature each, to show that the comparison notices it. */
    enum Mutation { NONE, NO_SINKS, NO_WINDOW, NO_CLAMP }

    private final TinyGptOss m;
    private final Map<String, float[]> w;
    private final double[] frequency;
    private final double attentionFactor;
    private final Mutation mutation;
    private final double[][][] keys, values;
    private int pos;
    /** How many gate or up values the clamp changed so far. */
    int clamped;

    Float64GptOss(TinyGptOss m, boolean truncate, Mutation mutation) {
        this.m = m;
        this.w = m.weights;
        this.mutation = mutation;
        this.frequency = yarn(m.theta, m.headDim, m.yarnFactor, m.yarnOriginal, 32, 1, truncate);
        this.attentionFactor = 0.1 * Math.log(m.yarnFactor) + 1;
        keys = new double[m.layers][m.context][];
        values = new double[m.layers][m.context][];
    }

    /** transformers' {@code _compute_yarn_parameters} frequencies (its find_correction_range and linear_ramp_factor). */
    static double[] yarn(double base, int dim, double factor, int original, double betaFast, double betaSlow, boolean truncate) {
        double low = dim * Math.log(original / (betaFast * 2 * Math.PI)) / (2 * Math.log(base));
        double high = dim * Math.log(original / (betaSlow * 2 * Math.PI)) / (2 * Math.log(base));
        if (truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001;
        }
        double[] f = new double[dim / 2];
        for (int i = 0; i < f.length; i++) {
            double posFreq = Math.pow(base, 2.0 * i / dim);
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolationFactor = 1 - ramp;
            f[i] = 1 / (factor * posFreq) * (1 - extrapolationFactor) + 1 / posFreq * extrapolationFactor;
        }
        return f;
    }

    double[] step(int token) {
        int dim = m.dim, hd = m.headDim, h = m.heads, kvh = m.kvHeads;
        double[] x = new double[dim];
        float[] emb = w.get("token_embd.weight");
        for (int i = 0; i < dim; i++) {
            x[i] = emb[token * dim + i];
        }
        for (int l = 0; l < m.layers; l++) {
            String b = "blk." + l + ".";
            double[] xn = rms(x, w.get(b + "attn_norm.weight"));
            double[] q = linear(b + "attn_q", xn, h * hd), k = linear(b + "attn_k", xn, kvh * hd), v = linear(b + "attn_v", xn, kvh * hd);
            rotate(q, h);
            rotate(k, kvh);
            keys[l][pos] = k;
            values[l][pos] = v;
            double[] att = new double[h * hd];
            float[] sinks = w.get(b + "attn_sinks.weight");
            int first = m.sliding[l] && mutation != Mutation.NO_WINDOW ? Math.max(0, pos - m.window + 1) : 0;
            for (int head = 0; head < h; head++) {
                int g = head / (h / kvh);
                double[] s = new double[pos - first + 1];
                double max = mutation == Mutation.NO_SINKS ? Double.NEGATIVE_INFINITY : sinks[head];
                for (int j = first; j <= pos; j++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += q[head * hd + d] * keys[l][j][g * hd + d];
                    }
                    s[j - first] = dot / Math.sqrt(hd);
                    max = Math.max(max, s[j - first]);
                }
                double sum = mutation == Mutation.NO_SINKS ? 0 : Math.exp(sinks[head] - max);
                for (int j = 0; j < s.length; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = first; j <= pos; j++) {
                    for (int d = 0; d < hd; d++) {
                        att[head * hd + d] += s[j - first] / sum * values[l][j][g * hd + d];
                    }
                }
            }
            add(x, linear(b + "attn_output", att, dim));
            add(x, moe(b, rms(x, w.get(b + "post_attention_norm.weight"))));
        }
        pos++;
        return matvec(w.get("output.weight"), rms(x, w.get("output_norm.weight")), m.vocab, 0);
    }

    private double[] moe(String b, double[] x) {
        int e = m.experts, k = m.used, f = m.ffn, dim = m.dim;
        double[] logits = linear(b + "ffn_gate_inp", x, e);
        int[] top = new int[k];
        boolean[] taken = new boolean[e];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < e; i++) {
                if (!taken[i] && (best < 0 || logits[i] > logits[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            top[j] = best;
        }
        double max = logits[top[0]], sum = 0;
        double[] weight = new double[k];
        for (int j = 0; j < k; j++) {
            weight[j] = Math.exp(logits[top[j]] - max);
            sum += weight[j];
        }
        double[] out = new double[dim];
        double limit = 7, alpha = 1.702;
        for (int j = 0; j < k; j++) {
            int ex = top[j];
            double[] gate = plus(matvec(w.get(b + "ffn_gate_exps.weight"), x, f, ex * f * dim), w.get(b + "ffn_gate_exps.bias"), ex * f);
            double[] up = plus(matvec(w.get(b + "ffn_up_exps.weight"), x, f, ex * f * dim), w.get(b + "ffn_up_exps.bias"), ex * f);
            double[] hidden = new double[f];
            for (int i = 0; i < f; i++) {
                double g = gate[i], u = up[i];
                if (mutation != Mutation.NO_CLAMP) {
                    double gc = Math.min(g, limit), uc = Math.max(-limit, Math.min(limit, u));
                    clamped += (gc != g ? 1 : 0) + (uc != u ? 1 : 0);
                    g = gc;
                    u = uc;
                }
                hidden[i] = (u + 1) * g / (1 + Math.exp(-alpha * g));
            }
            double[] y = plus(matvec(w.get(b + "ffn_down_exps.weight"), hidden, dim, ex * dim * f), w.get(b + "ffn_down_exps.bias"), ex * dim);
            for (int i = 0; i < dim; i++) {
                out[i] += weight[j] / sum * y[i];
            }
        }
        return out;
    }

    /** {@code _apply_rotary_emb}: first half and second half of each head, cos and sin times the attention factor. */
    private void rotate(double[] v, int n) {
        int hd = m.headDim, half = hd / 2;
        for (int head = 0; head < n; head++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * frequency[i];
                double c = Math.cos(angle) * attentionFactor, s = Math.sin(angle) * attentionFactor;
                double a = v[head * hd + i], bb = v[head * hd + half + i];
                v[head * hd + i] = a * c - bb * s;
                v[head * hd + half + i] = bb * c + a * s;
            }
        }
    }

    private double[] rms(double[] x, float[] g) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + m.eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * g[i];
        }
        return out;
    }

    private double[] linear(String name, double[] x, int rows) {
        return plus(matvec(w.get(name + ".weight"), x, rows, 0), w.get(name + ".bias"), 0);
    }

    private static double[] plus(double[] y, float[] bias, int offset) {
        for (int i = 0; i < y.length; i++) {
            y[i] += bias[offset + i];
        }
        return y;
    }

    private static double[] matvec(float[] a, double[] x, int rows, int offset) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < x.length; c++) {
                s += a[offset + r * x.length + c] * x[c];
            }
            y[r] = s;
        }
        return y;
    }

    private static void add(double[] x, double[] d) {
        for (int i = 0; i < x.length; i++) {
            x[i] += d[i];
        }
    }
}
