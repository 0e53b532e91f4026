package dev.panamax.transformer;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.ValueLayout;

/**
 * The sparse feed-forward of Mixtral-style models: a router picks, for each token, the
 * {@code expertsUsed} experts with the highest router probability, and the output is their SwiGLU
 * outputs weighted by those probabilities renormalized to sum to one.
 *
 * <p>Routing is decided on the host (a few numbers per token); the experts run on the backend, one
 * token at a time. Grouping the tokens of a prompt by expert would turn these matrix-vector
 * products into matrix-matrix ones; the reference keeps the one-token loop for clarity.
 */
final class MixtureOfExperts {
    private final Ops ops;
    private final ModelConfig config;
    private final double[] probabilities;
    private final int[] chosen;
    private final double[] chosenWeights;

    MixtureOfExperts(Ops ops, ModelConfig config) {
        this.ops = ops;
        this.config = config;
        this.probabilities = new double[config.expertCount()];
        this.chosen = new int[config.expertsUsed()];
        this.chosenWeights = new double[config.expertsUsed()];
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
            for (int j = 0; j < chosen.length; j++) {
                ExpertWeights e = w.experts().get(chosen[j]);
                // h = silu(xb · Wgateᵀ) * (xb · Wupᵀ),  y = h · Wdownᵀ
                ops.matmul(a.xbRows[t], e.gate(), a.gateRow);
                ops.matmul(a.xbRows[t], e.up(), a.upRow);
                ops.swiglu(a.gateRow, a.upRow, a.gateRow);
                ops.matmul(a.gateRow, e.down(), a.expertOut);
                // delta[t] += weight * y
                if (j == 0) {
                    ops.scale(a.expertOut, (float) chosenWeights[j], a.deltaRows[t]);
                } else {
                    ops.scale(a.expertOut, (float) chosenWeights[j], a.expertOut);
                    ops.add(a.deltaRows[t], a.expertOut, a.deltaRows[t]);
                }
            }
        }
    }

    /** Softmax over the router logits of token {@code t}, top-k, renormalized: fills {@code chosen}/{@code chosenWeights}. */
    private void route(Tensor routerLogits, int t) {
        int experts = config.expertCount();
        var row = routerLogits.row(t);
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
        for (int j = 0; j < chosen.length; j++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (!alreadyChosen(e, j) && (best < 0 || probabilities[e] > probabilities[best])) {
                    best = e;
                }
            }
            chosen[j] = best;
            chosenWeights[j] = probabilities[best] / sum;
            chosenSum += chosenWeights[j];
        }
        for (int j = 0; j < chosen.length; j++) {
            chosenWeights[j] /= chosenSum; // Mixtral renormalizes the top-k weights to sum to one
        }
    }

    private boolean alreadyChosen(int expert, int count) {
        for (int j = 0; j < count; j++) {
            if (chosen[j] == expert) {
                return true;
            }
        }
        return false;
    }
}
