package dev.panamax.transformer;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The sparse feed-forward of Mixtral-style models: a router picks, for each token, the
 * {@code expertsUsed} experts with the highest router probability, and the output is their SwiGLU
 * outputs weighted by those probabilities renormalized to sum to one.
 *
 * <p>Routing is decided on the host (a few numbers per token). Then each expert runs once, on the
 * rows of all tokens routed to it gathered into one matrix, so a prompt still gets matrix-matrix
 * products; the weighted outputs are added back to each token's row.
 */
final class MixtureOfExperts {
    private final Ops ops;
    private final ModelConfig config;
    private final double[] probabilities;
    /** For token t and choice j: the expert {@code chosen[t * k + j]} and its weight. */
    private final int[] chosen;
    private final double[] chosenWeights;
    /** The tokens gathered for the current expert, with their weights. */
    private final int[] gatheredTokens;
    private final float[] gatheredWeights;
    private final boolean[] started;

    MixtureOfExperts(Ops ops, ModelConfig config, int maxBatch) {
        this.ops = ops;
        this.config = config;
        this.probabilities = new double[config.expertCount()];
        this.chosen = new int[maxBatch * config.expertsUsed()];
        this.chosenWeights = new double[maxBatch * config.expertsUsed()];
        this.gatheredTokens = new int[maxBatch];
        this.gatheredWeights = new float[maxBatch];
        this.started = new boolean[maxBatch];
    }

    /** {@code delta[t] = sum over chosen experts e of w_e * down_e(silu(gate_e(xb[t])) * up_e(xb[t]))}. */
    void forward(LayerWeights w, Activations a, Activations.Batch b) {
        // router logits for all tokens at once: r = xb · Wrouterᵀ   [n, experts]
        ops.matmul(b.xb, w.router(), b.routerLogits);
        if (b.routerLogitsHost != b.routerLogits) {
            ops.copy(b.routerLogits, b.routerLogitsHost);
        }
        for (int t = 0; t < b.n; t++) {
            route(b.routerLogitsHost, t);
            started[t] = false;
        }
        for (int e = 0; e < config.expertCount(); e++) {
            // gather the rows of the m tokens routed to expert e
            int m = 0;
            for (int i = 0; i < b.n * config.expertsUsed(); i++) {
                if (chosen[i] == e) {
                    int t = i / config.expertsUsed();
                    gatheredTokens[m] = t;
                    gatheredWeights[m] = (float) chosenWeights[i];
                    ops.copy(a.xbRows[t], a.expertInRows[m]);
                    m++;
                }
            }
            if (m == 0) {
                continue;
            }
            // y = (silu(in · Wgateᵀ) * (in · Wupᵀ)) · Wdownᵀ   for the m gathered rows
            ExpertWeights expert = w.experts().get(e);
            Activations.Batch g = a.batch(m);
            ops.matmul(g.expertIn, expert.gate(), g.gate);
            ops.matmul(g.expertIn, expert.up(), g.up);
            ops.swiglu(g.gate, g.up, g.gate);
            ops.matmul(g.gate, expert.down(), g.expertOut);
            // delta[t] += weight * y[i]
            for (int i = 0; i < m; i++) {
                int t = gatheredTokens[i];
                if (!started[t]) {
                    ops.scale(a.expertOutRows[i], gatheredWeights[i], a.deltaRows[t]);
                    started[t] = true;
                } else {
                    ops.scale(a.expertOutRows[i], gatheredWeights[i], a.expertOutRows[i]);
                    ops.add(a.deltaRows[t], a.expertOutRows[i], a.deltaRows[t]);
                }
            }
        }
    }

    /** Softmax over the router logits of token {@code t}, top-k, renormalized: fills token t's {@code chosen}/{@code chosenWeights}. */
    private void route(Tensor routerLogits, int t) {
        int experts = config.expertCount();
        int k = config.expertsUsed();
        MemorySegment row = routerLogits.row(t);
        double max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < experts; e++) {
            probabilities[e] = row.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e);
            max = Math.max(max, probabilities[e]);
        }
        double sum = 0;
        for (int e = 0; e < experts; e++) {
            probabilities[e] = Math.exp(probabilities[e] - max);
            sum += probabilities[e];
        }
        // top-k by repeated selection (k is 1 to 8): the highest remaining probability, lowest index on ties
        double chosenSum = 0;
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (!alreadyChosen(e, t * k, t * k + j) && (best < 0 || probabilities[e] > probabilities[best])) {
                    best = e;
                }
            }
            chosen[t * k + j] = best;
            chosenWeights[t * k + j] = probabilities[best] / sum;
            chosenSum += chosenWeights[t * k + j];
        }
        for (int j = 0; j < k; j++) {
            chosenWeights[t * k + j] /= chosenSum; // Mixtral renormalizes the top-k weights to sum to one
        }
    }

    private boolean alreadyChosen(int expert, int from, int to) {
        for (int i = from; i < to; i++) {
            if (chosen[i] == expert) {
                return true;
            }
        }
        return false;
    }
}
