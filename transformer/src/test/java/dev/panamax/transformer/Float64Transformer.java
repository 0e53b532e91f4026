package dev.panamax.transformer;

import dev.panamax.tensor.Rope;
import java.util.function.Function;

/**
 * The test oracle: a Llama-family forward pass in double precision, one token at a time, written
 * independently of the production code (own loops, own RoPE, own attention, own routing).
 */
final class Float64Transformer {
    private final int dim, ffn, layers, heads, kvHeads, headDim, vocab, experts, used;
    private final double eps;
    private final Rope.Layout layout;
    private final double[] inverseFrequency;
    private final Function<String, float[]> w;
    private final double[][][] keys;
    private final double[][][] values;
    private int pos;
    /** The final-normed hidden state of the last step: what the output projection sees, what embedding models pool. */
    private double[] hidden;
    /** Whether the top-k routing weights are renormalized (Mixtral, Qwen3-MoE: norm_topk_prob) or not (Qwen2-MoE). */
    boolean normalizeTopK = true;

    /**
     * @param weights   GGUF tensor name to values (F32 data, read as doubles)
     * @param layout    which entries RoPE pairs
     * @param frequency inverse frequency of each rotated pair
     */
    Float64Transformer(ModelConfig c, Function<String, float[]> weights, Rope.Layout layout, double[] frequency) {
        dim = c.dim();
        ffn = c.ffnDim();
        layers = c.layers();
        heads = c.heads();
        kvHeads = c.kvHeads();
        headDim = c.headDim();
        vocab = c.vocabSize();
        experts = c.expertCount();
        used = c.expertsUsed();
        eps = c.rmsEps();
        this.layout = layout;
        this.inverseFrequency = frequency;
        this.w = weights;
        keys = new double[layers][c.contextLength()][];
        values = new double[layers][c.contextLength()][];
    }

    /** theta^(-2i/dims) for i < dims/2. */
    static double[] frequencies(double theta, int dims) {
        double[] f = new double[dims / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.pow(theta, -2.0 * i / dims);
        }
        return f;
    }

    /** Processes {@code token} at the next position and returns the logits after it. */
    double[] step(int token) {
        double[] x = new double[dim];
        float[] embedding = w.apply("token_embd.weight");
        for (int i = 0; i < dim; i++) {
            x[i] = embedding[token * dim + i];
        }
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            double[] xb = rmsNorm(x, w.apply(b + "attn_norm.weight"));
            double[] q = plusBias(matvec(w.apply(b + "attn_q.weight"), xb, heads * headDim), b + "attn_q.bias");
            double[] k = plusBias(matvec(w.apply(b + "attn_k.weight"), xb, kvHeads * headDim), b + "attn_k.bias");
            double[] v = plusBias(matvec(w.apply(b + "attn_v.weight"), xb, kvHeads * headDim), b + "attn_v.bias");
            // Qwen3Attention: q_norm / k_norm (RMSNorm over head_dim) on each head, before RoPE
            perHeadNorm(q, heads, w.apply(b + "attn_q_norm.weight"));
            perHeadNorm(k, kvHeads, w.apply(b + "attn_k_norm.weight"));
            rope(q, heads);
            rope(k, kvHeads);
            keys[l][pos] = k;
            values[l][pos] = v;
            double[] att = attention(q, l);
            add(x, matvec(w.apply(b + "attn_output.weight"), att, dim));
            xb = rmsNorm(x, w.apply(b + "ffn_norm.weight"));
            add(x, experts == 0 ? swiglu(b + "ffn_", xb, 0) : moe(b, xb));
        }
        pos++;
        double[] xf = rmsNorm(x, w.apply("output_norm.weight"));
        hidden = xf;
        float[] out = w.apply("output.weight");
        return matvec(out != null ? out : embedding, xf, vocab);
    }

    /** The final-normed hidden state after the last {@link #step}. */
    double[] hidden() {
        return hidden.clone();
    }

    private double[] attention(double[] q, int l) {
        double[] out = new double[heads * headDim];
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++) {
            int g = h / group;
            double[] score = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= pos; j++) {
                double s = 0;
                for (int d = 0; d < headDim; d++) {
                    s += q[h * headDim + d] * keys[l][j][g * headDim + d];
                }
                score[j] = s / Math.sqrt(headDim);
                max = Math.max(max, score[j]);
            }
            double sum = 0;
            for (int j = 0; j <= pos; j++) {
                score[j] = Math.exp(score[j] - max);
                sum += score[j];
            }
            for (int j = 0; j <= pos; j++) {
                for (int d = 0; d < headDim; d++) {
                    out[h * headDim + d] += score[j] / sum * values[l][j][g * headDim + d];
                }
            }
        }
        return out;
    }

    private void rope(double[] v, int nHeads) {
        int pairs = inverseFrequency.length;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < pairs; i++) {
                int a = h * headDim + (layout == Rope.Layout.INTERLEAVED ? 2 * i : i);
                int b = layout == Rope.Layout.INTERLEAVED ? a + 1 : a + pairs;
                double angle = pos * inverseFrequency[i];
                double x0 = v[a], x1 = v[b];
                v[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
                v[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
            }
        }
    }

    /** down · (silu(gate · x) * (up · x)): the dense FFN, or expert {@code expert} of the stacked ones in a MoE model. */
    private double[] swiglu(String prefix, double[] x, int expert) {
        boolean stacked = experts > 0;
        // the width from the weights themselves: [E, F, dim] stacked, [F, dim] dense
        int f = stacked ? w.apply(prefix + "gate_exps.weight").length / (experts * dim) : ffn;
        double[] g = stacked ? matvec(w.apply(prefix + "gate_exps.weight"), x, f, expert) : matvec(w.apply(prefix + "gate.weight"), x, f, 0);
        double[] u = stacked ? matvec(w.apply(prefix + "up_exps.weight"), x, f, expert) : matvec(w.apply(prefix + "up.weight"), x, f, 0);
        double[] h = new double[f];
        for (int i = 0; i < f; i++) {
            h[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return stacked ? matvec(w.apply(prefix + "down_exps.weight"), h, dim, expert) : matvec(w.apply(prefix + "down.weight"), h, dim, 0);
    }

    /** Qwen2MoeSparseMoeBlock's shared expert: sigmoid(x · w_gate) · down(silu(gate · x) * (up · x)), or nothing. */
    private double[] sharedExpert(String b, double[] x) {
        float[] gate = w.apply(b + "ffn_gate_inp_shexp.weight");
        if (gate == null) {
            return new double[dim];
        }
        int f = w.apply(b + "ffn_gate_shexp.weight").length / dim;
        double[] g = matvec(w.apply(b + "ffn_gate_shexp.weight"), x, f);
        double[] u = matvec(w.apply(b + "ffn_up_shexp.weight"), x, f);
        double[] h = new double[f];
        for (int i = 0; i < f; i++) {
            h[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        double[] y = matvec(w.apply(b + "ffn_down_shexp.weight"), h, dim);
        double z = matvec(gate, x, 1)[0];
        double sigmoid = 1 / (1 + Math.exp(-z));
        for (int i = 0; i < dim; i++) {
            y[i] *= sigmoid;
        }
        return y;
    }

    private double[] moe(String b, double[] xb) {
        double[] logits = matvec(w.apply(b + "ffn_gate_inp.weight"), xb, experts);
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[experts];
        double sum = 0;
        for (int e = 0; e < experts; e++) {
            p[e] = Math.exp(logits[e] - max);
            sum += p[e];
        }
        boolean[] taken = new boolean[experts];
        int[] chosen = new int[used];
        double chosenSum = 0;
        for (int j = 0; j < used; j++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (!taken[e] && (best < 0 || p[e] > p[best])) {
                    best = e;
                }
            }
            taken[best] = true;
            chosen[j] = best;
            chosenSum += p[best] / sum;
        }
        double[] out = sharedExpert(b, xb);
        for (int e : chosen) {
            double weight = normalizeTopK ? p[e] / sum / chosenSum : p[e] / sum;
            double[] y = swiglu(b + "ffn_", xb, e);
            for (int i = 0; i < dim; i++) {
                out[i] += weight * y[i];
            }
        }
        return out;
    }

    private double[] rmsNorm(double[] x, float[] gain) {
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

    /** RMSNorm of each head's headDim entries with the gain {@code [headDim]}, if the model has one. */
    private void perHeadNorm(double[] v, int nHeads, float[] gain) {
        if (gain == null) {
            return;
        }
        for (int h = 0; h < nHeads; h++) {
            double ss = 0;
            for (int d = 0; d < headDim; d++) {
                ss += v[h * headDim + d] * v[h * headDim + d];
            }
            double scale = 1 / Math.sqrt(ss / headDim + eps);
            for (int d = 0; d < headDim; d++) {
                v[h * headDim + d] *= scale * gain[d];
            }
        }
    }

    private double[] plusBias(double[] v, String name) {
        float[] bias = w.apply(name);
        if (bias != null) {
            for (int i = 0; i < v.length; i++) {
                v[i] += bias[i];
            }
        }
        return v;
    }

    private static double[] matvec(float[] m, double[] x, int rows) {
        return matvec(m, x, rows, 0);
    }

    /** Rows {@code [matrix * rows, (matrix+1) * rows)} of {@code m} (one matrix of a stack) times {@code x}. */
    private static double[] matvec(float[] m, double[] x, int rows, int matrix) {
        double[] out = new double[rows];
        int base = matrix * rows * x.length;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < x.length; c++) {
                s += m[base + r * x.length + c] * x[c];
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
