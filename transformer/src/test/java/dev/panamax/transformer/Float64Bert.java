package dev.panamax.transformer;

/**
 * BERT's encoder in float64, from transformers' {@code modeling_bert.py}: {@code BertEmbeddings}
 * (word + position + token type 0, {@code LayerNorm(layer_norm_eps)}), then per {@code BertLayer}:
 * {@code BertSelfAttention} (query/key/value with biases, scores {@code q·k / sqrt(head_size)}, no mask:
 * every token sees every token), {@code BertSelfOutput} ({@code LayerNorm(dense(ctx) + input)}),
 * {@code BertIntermediate} ({@code gelu}, the erf form), {@code BertOutput}
 * ({@code LayerNorm(dense(h) + attention_output)}). Returns the last hidden state of every token.
 */
final class Float64Bert {
    private final TinyFamilyModel m;

    Float64Bert(TinyFamilyModel m) {
        this.m = m;
    }

    double[][] hidden(int[] ids) {
        int n = ids.length, dim = m.dim, heads = m.heads, hd = m.headDim;
        float[] word = m.w("token_embd.weight"), position = m.w("position_embd.weight"), type = m.w("token_types.weight");
        double[][] x = new double[n][dim];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < dim; i++) {
                x[t][i] = (double) word[ids[t] * dim + i] + position[t * dim + i] + type[i];
            }
            x[t] = norm(x[t], "token_embd_norm");
        }
        for (int l = 0; l < m.layers; l++) {
            String b = "blk." + l + ".";
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                q[t] = linear(b + "attn_q", x[t]);
                k[t] = linear(b + "attn_k", x[t]);
                v[t] = linear(b + "attn_v", x[t]);
            }
            double[][] next = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] context = new double[dim];
                for (int h = 0; h < heads; h++) {
                    double[] p = new double[n];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int i = 0; i < hd; i++) {
                            s += q[t][h * hd + i] * k[j][h * hd + i];
                        }
                        p[j] = s / Math.sqrt(hd);
                        max = Math.max(max, p[j]);
                    }
                    for (int j = 0; j < n; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int j = 0; j < n; j++) {
                        for (int i = 0; i < hd; i++) {
                            context[h * hd + i] += p[j] / sum * v[j][h * hd + i];
                        }
                    }
                }
                double[] a = linear(b + "attn_output", context);
                for (int i = 0; i < dim; i++) {
                    a[i] += x[t][i];
                }
                a = norm(a, b + "attn_output_norm");
                double[] up = linear(b + "ffn_up", a);
                for (int i = 0; i < up.length; i++) {
                    up[i] = gelu(up[i]);
                }
                double[] o = linear(b + "ffn_down", up);
                for (int i = 0; i < dim; i++) {
                    o[i] += a[i];
                }
                next[t] = norm(o, b + "layer_output_norm");
            }
            x = next;
        }
        return x;
    }

    private double[] linear(String name, double[] x) {
        float[] w = m.w(name + ".weight");
        float[] bias = m.w(name + ".bias");
        int rows = w.length / x.length;
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias[r];
            for (int c = 0; c < x.length; c++) {
                s += (double) w[r * x.length + c] * x[c];
            }
            out[r] = s;
        }
        return out;
    }

    /** {@code nn.LayerNorm}: biased variance, eps inside the square root. */
    private double[] norm(double[] x, String name) {
        float[] g = m.w(name + ".weight"), b = m.w(name + ".bias");
        double mean = 0, var = 0;
        for (double v : x) {
            mean += v / x.length;
        }
        for (double v : x) {
            var += (v - mean) * (v - mean) / x.length;
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - mean) / Math.sqrt(var + m.eps) * g[i] + b[i];
        }
        return out;
    }

    /** transformers' {@code gelu}: {@code x/2 · (1 + erf(x / sqrt 2))}. */
    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /**
     * erf to about 1e-11: its Maclaurin series below 3.5 (terms up to 3.5^2n/n!, about 2e5, so some 1e-11 of
     * cancellation), the asymptotic series of erfc above (its first omitted term is below 3e-4 of erfc(3.5) = 7e-7).
     */
    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3.5) {
            double term = a, sum = a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double inv = 1 / (2 * a * a), series = 1, term = 1;
            for (int n = 1; n <= 4; n++) {
                term *= -(2 * n - 1) * inv;
                series += term;
            }
            r = 1 - Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * series;
        }
        return Math.copySign(r, x);
    }
}
