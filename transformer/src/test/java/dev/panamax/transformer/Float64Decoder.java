package dev.panamax.transformer;

/**
 * The shared arithmetic of the float64 family oracles ({@code Float64Phi3}, {@code Float64Olmo2}, ...):
 * double-precision loops written from transformers' modeling code, independent of the production
 * layers. Each oracle runs one token at a time ({@link #step}) and keeps its own KV cache.
 */
abstract class Float64Decoder {
    final TinyFamilyModel m;
    final int heads, kvHeads, headDim;
    final double[][][] keys, values;
    int pos;

    Float64Decoder(TinyFamilyModel m) {
        this.m = m;
        this.heads = m.heads;
        this.kvHeads = m.kvHeads;
        this.headDim = m.headDim;
        keys = new double[m.layers][m.context][];
        values = new double[m.layers][m.context][];
    }

    /** Processes {@code token} at the next position and returns the logits after it. */
    abstract double[] step(int token);

    /** transformers' {@code apply_rotary_pos_emb} on the first {@code 2·freq.length} entries of each head (rotate_half), cos/sin times {@code mscale}. */
    void rope(double[] v, int nHeads, double[] freq, double mscale) {
        int half = freq.length;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                int a = h * headDim + i, b = a + half;
                double angle = pos * freq[i];
                double cos = Math.cos(angle) * mscale, sin = Math.sin(angle) * mscale;
                double x0 = v[a], x1 = v[b];
                v[a] = x0 * cos - x1 * sin;
                v[b] = x1 * cos + x0 * sin;
            }
        }
    }

    /** {@code 1 / (divisor_i · theta^(2i/dims))} for the {@code dims/2} pairs; divisors null for none. */
    static double[] frequencies(double theta, int dims, float[] divisors) {
        double[] f = new double[dims / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1 / ((divisors == null ? 1 : divisors[i]) * Math.pow(theta, 2.0 * i / dims));
        }
        return f;
    }

    /** {@code eager_attention_forward}: softmax(scale · q·kᵀ) over positions {@code max(0, pos - window + 1) ... pos} (window 0: all), GQA. */
    double[] attention(double[] q, int layer, double scale, int window) {
        double[] out = new double[heads * headDim];
        int group = heads / kvHeads;
        int first = window == 0 ? 0 : Math.max(0, pos - window + 1);
        for (int h = 0; h < heads; h++) {
            int g = h / group;
            double[] score = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = first; j <= pos; j++) {
                double s = 0;
                for (int d = 0; d < headDim; d++) {
                    s += q[h * headDim + d] * keys[layer][j][g * headDim + d];
                }
                score[j] = s * scale;
                max = Math.max(max, score[j]);
            }
            double sum = 0;
            for (int j = first; j <= pos; j++) {
                score[j] = Math.exp(score[j] - max);
                sum += score[j];
            }
            for (int j = first; j <= pos; j++) {
                for (int d = 0; d < headDim; d++) {
                    out[h * headDim + d] += score[j] / sum * values[layer][j][g * headDim + d];
                }
            }
        }
        return out;
    }

    double[] rmsNorm(double[] x, float[] gain, double eps) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double scale = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * gain[i];
        }
        return out;
    }

    /** {@code nn.LayerNorm}: biased variance, then gain and bias. */
    double[] layerNorm(double[] x, float[] gain, float[] bias, double eps) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - mean) / Math.sqrt(var + eps) * gain[i] + bias[i];
        }
        return out;
    }

    /** Rows {@code [first, first + rows)} of {@code w [*, x.length]} times {@code x}, plus {@code bias[first ...]} if given. */
    static double[] matvec(float[] w, double[] x, int first, int rows, float[] bias) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias == null ? 0 : bias[first + r];
            int base = (first + r) * x.length;
            for (int c = 0; c < x.length; c++) {
                s += w[base + c] * x[c];
            }
            out[r] = s;
        }
        return out;
    }

    static double[] matvec(float[] w, double[] x, int rows) {
        return matvec(w, x, 0, rows, null);
    }

    static double silu(double z) {
        return z / (1 + Math.exp(-z));
    }

    /** GELU with transformers' tanh approximation ({@code gelu_pytorch_tanh}). */
    static double geluTanh(double z) {
        return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
    }

    static void addScaled(double[] x, double[] d, double s) {
        for (int i = 0; i < x.length; i++) {
            x[i] += s * d[i];
        }
    }

    /** The embedding row of {@code token}, times {@code scale}. */
    double[] embed(int token, double scale) {
        float[] e = m.w("token_embd.weight");
        double[] x = new double[m.dim];
        for (int i = 0; i < m.dim; i++) {
            x[i] = e[token * m.dim + i] * scale;
        }
        return x;
    }

    /** The output projection (own, or the embedding when tied) of the final hidden state. */
    double[] logits(double[] normed) {
        float[] out = m.w("output.weight");
        return matvec(out != null ? out : m.w("token_embd.weight"), normed, m.vocab);
    }
}
