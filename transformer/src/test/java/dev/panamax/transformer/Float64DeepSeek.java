package dev.panamax.transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An independent float64 forward of {@link TinyDeepSeek}, written from transformers'
 * {@code modeling_deepseek_v3.py} in its naive form: every head's keys and values are expanded from
 * the latent ({@code kv_b_proj}) and cached whole, the opposite of the absorbed latent cache under
 * test. RoPE pairs adjacent entries of q_pe / k_pe ({@code apply_rotary_pos_emb_interleave}); YaRN
 * frequencies and mscale from {@code _compute_yarn_parameters} and {@code DeepseekV3Attention}; routing
 * from {@code DeepseekV3TopkRouter} / {@code DeepseekV3MoE.route_tokens_to_experts}, or V2's
 * {@code DeepseekV2MoEGate} (softmax, greedy top-k, weights not renormalized) for {@link TinyDeepSeek#v2Lite}.
 */
final class Float64DeepSeek {
    private final TinyDeepSeek m;
    private final Map<String, float[]> w;
    private final double[] invFreq;
    private final double scaling, ropeFactor;
    /** Per layer, per position: k [H][N+R] and v [H][V]. */
    private final List<List<double[][]>> keys = new ArrayList<>(), values = new ArrayList<>();
    private int pos;

    Float64DeepSeek(TinyDeepSeek m) {
        this.m = m;
        this.w = m.weights;
        int dim = m.rope;
        invFreq = new double[dim / 2];
        double attentionFactor = 1;
        double scale = 1 / Math.sqrt(m.nope + m.rope);
        for (int i = 0; i < dim / 2; i++) {
            invFreq[i] = 1 / Math.pow(m.theta, 2.0 * i / dim);
        }
        if (m.yarnFactor != 1) {
            double f = m.yarnFactor;
            double low = Math.max(Math.floor(correctionDim(32, dim, m.theta, m.yarnOriginal)), 0);
            double high = Math.min(Math.ceil(correctionDim(1, dim, m.theta, m.yarnOriginal)), dim - 1);
            if (low == high) {
                high += 0.001;
            }
            for (int i = 0; i < dim / 2; i++) {
                double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
                double extrapolationFactor = 1 - ramp;
                double extrapolation = invFreq[i], interpolation = invFreq[i] / f;
                invFreq[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
            }
            attentionFactor = mscale(f, m.mscale) / mscale(f, m.mscale);
            scale *= mscale(f, m.mscale) * mscale(f, m.mscale);
        }
        this.scaling = scale;
        this.ropeFactor = attentionFactor;
        for (int l = 0; l < m.layers; l++) {
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPos) {
        return dim * Math.log(maxPos / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    private static double mscale(double scale, double m) {
        return scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1;
    }

    /** Feeds one token at the next position; returns its logits. */
    double[] step(int token) {
        int d = m.dim;
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = w.get("token_embd.weight")[token * d + i];
        }
        for (int l = 0; l < m.layers; l++) {
            String b = "blk." + l + ".";
            double[] h = rms(x, w.get(b + "attn_norm.weight"));
            add(x, attention(l, b, h));
            double[] h2 = rms(x, w.get(b + "ffn_norm.weight"));
            add(x, l < m.dense ? mlp(b, "ffn_gate", "ffn_up", "ffn_down", h2, m.denseFfn) : moe(b, h2));
        }
        pos++;
        return matvec(w.get("output.weight"), rms(x, w.get("output_norm.weight")), m.vocab);
    }

    private double[] attention(int l, String b, double[] h) {
        int heads = m.heads, qk = m.nope + m.rope, lat = m.kvLora;
        double[] q = m.qLora > 0
                ? matvec(w.get(b + "attn_q_b.weight"), rms(matvec(w.get(b + "attn_q_a.weight"), h, m.qLora), w.get(b + "attn_q_a_norm.weight")),
                heads * qk)
                : matvec(w.get(b + "attn_q.weight"), h, heads * qk);
        double[] ckv = matvec(w.get(b + "attn_kv_a_mqa.weight"), h, lat + m.rope);
        double[] c = rms(java.util.Arrays.copyOf(ckv, lat), w.get(b + "attn_kv_a_norm.weight"));
        double[] kPe = java.util.Arrays.copyOfRange(ckv, lat, lat + m.rope);
        rope(kPe, 0);
        double[] kv = matvec(w.get(b + "attn_kv_b.weight"), c, heads * (m.nope + m.vDim));
        double[][] k = new double[heads][qk], v = new double[heads][m.vDim];
        for (int hd = 0; hd < heads; hd++) {
            rope(q, hd * qk + m.nope);
            System.arraycopy(kv, hd * (m.nope + m.vDim), k[hd], 0, m.nope);
            System.arraycopy(kPe, 0, k[hd], m.nope, m.rope);
            System.arraycopy(kv, hd * (m.nope + m.vDim) + m.nope, v[hd], 0, m.vDim);
        }
        keys.get(l).add(k);
        values.get(l).add(v);
        double[] out = new double[heads * m.vDim];
        for (int hd = 0; hd < heads; hd++) {
            double[] s = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= pos; j++) {
                double dot = 0;
                for (int i = 0; i < qk; i++) {
                    dot += q[hd * qk + i] * keys.get(l).get(j)[hd][i];
                }
                s[j] = dot * scaling;
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            for (int j = 0; j <= pos; j++) {
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            for (int j = 0; j <= pos; j++) {
                for (int i = 0; i < m.vDim; i++) {
                    out[hd * m.vDim + i] += s[j] / sum * values.get(l).get(j)[hd][i];
                }
            }
        }
        return matvec(w.get(b + "attn_output.weight"), out, m.dim);
    }

    /** Rotates the pairs (x[o + 2i], x[o + 2i + 1]) by pos · f_i, scaled by the YaRN attention factor. */
    private void rope(double[] x, int o) {
        for (int i = 0; i < m.rope / 2; i++) {
            double a = pos * invFreq[i], cos = Math.cos(a) * ropeFactor, sin = Math.sin(a) * ropeFactor;
            double x0 = x[o + 2 * i], x1 = x[o + 2 * i + 1];
            x[o + 2 * i] = x0 * cos - x1 * sin;
            x[o + 2 * i + 1] = x0 * sin + x1 * cos;
        }
    }

    private double[] moe(String b, double[] h) {
        int e = m.experts, size = e / m.groups;
        double[] logits = matvec(w.get(b + "ffn_gate_inp.weight"), h, e);
        float[] bias = w.get(b + "exp_probs_b.bias"); // V3's selection bias; V2 has none
        double[] scores = new double[e], choice = new double[e];
        double max = Double.NEGATIVE_INFINITY, total = 0;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        for (int i = 0; i < e; i++) {
            total += Math.exp(logits[i] - max);
        }
        for (int i = 0; i < e; i++) {
            // DeepseekV2MoEGate: softmax over all experts; DeepseekV3TopkRouter: sigmoid
            scores[i] = m.softmax ? Math.exp(logits[i] - max) / total : 1 / (1 + Math.exp(-logits[i]));
            choice[i] = scores[i] + (bias == null ? 0 : bias[i]);
        }
        // group score: the sum of the group's two best; keep the topk_group best groups
        double[] group = new double[m.groups];
        for (int g = 0; g < m.groups; g++) {
            double[] s = java.util.Arrays.copyOfRange(choice, g * size, (g + 1) * size);
            java.util.Arrays.sort(s);
            group[g] = size == 1 ? s[0] : s[size - 1] + s[size - 2];
        }
        boolean[] kept = new boolean[m.groups];
        for (int j = 0; j < m.groupsUsed; j++) {
            int best = -1;
            for (int g = 0; g < m.groups; g++) {
                if (!kept[g] && (best < 0 || group[g] > group[best])) {
                    best = g;
                }
            }
            kept[best] = true;
        }
        boolean[] chosen = new boolean[e];
        int[] idx = new int[m.used];
        double sum = 0;
        for (int j = 0; j < m.used; j++) {
            int best = -1;
            for (int i = 0; i < e; i++) {
                if (kept[i / size] && !chosen[i] && (best < 0 || choice[i] > choice[best])) {
                    best = i;
                }
            }
            chosen[best] = true;
            idx[j] = best;
            sum += scores[best];
        }
        double[] out = mlp(b, "ffn_gate_shexp", "ffn_up_shexp", "ffn_down_shexp", h, m.expertFfn * m.shared);
        for (int j = 0; j < m.used; j++) {
            // normalized top-k weights (norm_topk_prob), else the scores themselves; then the routed scale
            double weight = (m.normalize ? scores[idx[j]] / sum : scores[idx[j]]) * m.routedScale;
            double[] y = expert(b, idx[j], h);
            for (int i = 0; i < m.dim; i++) {
                out[i] += weight * y[i];
            }
        }
        return out;
    }

    private double[] expert(String b, int e, double[] h) {
        int f = m.expertFfn, d = m.dim;
        double[] g = matvec(slice(w.get(b + "ffn_gate_exps.weight"), e, f * d), h, f);
        double[] u = matvec(slice(w.get(b + "ffn_up_exps.weight"), e, f * d), h, f);
        for (int i = 0; i < f; i++) {
            g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return matvec(slice(w.get(b + "ffn_down_exps.weight"), e, f * d), g, d);
    }

    private static float[] slice(float[] all, int e, int size) {
        return java.util.Arrays.copyOfRange(all, e * size, (e + 1) * size);
    }

    private double[] mlp(String b, String gate, String up, String down, double[] h, int f) {
        double[] g = matvec(w.get(b + gate + ".weight"), h, f);
        double[] u = matvec(w.get(b + up + ".weight"), h, f);
        for (int i = 0; i < f; i++) {
            g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return matvec(w.get(b + down + ".weight"), g, m.dim);
    }

    private double[] rms(double[] x, float[] gain) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double r = 1 / Math.sqrt(ss / x.length + m.eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * r * gain[i];
        }
        return out;
    }

    private static double[] matvec(float[] wt, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < x.length; c++) {
                s += wt[r * x.length + c] * x[c];
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
