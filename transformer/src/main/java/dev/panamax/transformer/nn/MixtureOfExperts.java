package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The sparse feed-forward of Mixtral and Qwen-MoE: a router picks, for each token, the
 * {@code expertsUsed} experts with the highest router probability (softmax over all experts), and
 * the output is their outputs weighted by those probabilities, renormalized to sum to one if the
 * family says so (Mixtral, Qwen3-MoE; not Qwen2-MoE). Optionally a shared expert runs on every
 * token: scaled by {@code sigmoid(x · w_gate)} (Qwen2-MoE), or ungated (DeepSeekMoE's shared experts).
 *
 * <p>Routing is decided on the host (a few numbers per token). Then each expert runs once, on the
 * rows of all tokens routed to it gathered into one matrix, so a prompt still gets matrix-matrix
 * products; the weighted outputs are added back to each token's row. A decode step (one token) of gated
 * experts instead hands the backend all its experts' gate and up products in one
 * {@link Ops#matmuls} call, then all their down products in another, the shared expert's with them
 * ({@link ExpertsOfOneToken}): the same products, added in the same order, as the path above.
 */
public final class MixtureOfExperts implements FeedForward {
    /**
     * @param expertsUsed    experts per token (top-k)
     * @param normalizeTopK  whether the k chosen probabilities are renormalized to sum to one
     */
    public record Routing(int expertsUsed, boolean normalizeTopK) {}

    /**
     * A shared expert that sees every token, and its gate {@code [1, dim]}: with a gate, its output, scaled by the
     * sigmoid of {@code x · gate}, comes first and the routed experts' are added to it (Qwen2-MoE); without one
     * (null), its output is added after theirs (DeepSeekMoE: {@code routed(x) + shared(x)}).
     */
    public record SharedExpert(FeedForward expert, Linear gate) {}

    private final Ops ops;
    private final Linear router;
    private final List<FeedForward> experts;
    private final Routing routing;
    private final SharedExpert shared;
    /** Null for the softmax routing of {@link #routing}. */
    private final Router customRouter;
    private final Scratch.Buffer routerLogits, gathered, expertOut, sharedGate;
    private final Tensor[] routerLogitsHost, sharedGateHost;
    private final double[] probabilities;
    /** For token t and choice j: the expert {@code chosen[t * k + j]} and its weight. */
    private final int[] chosen;
    private final double[] chosenWeights;
    /** The tokens gathered for the current expert, with their weights. */
    private final int[] gatheredTokens;
    private final float[] gatheredWeights;
    private final boolean[] started;
    private final RowViews inRows = new RowViews(), outRows = new RowViews();
    /** The one-token path, or null when an expert is not a {@link GatedFeedForward}. */
    private final ExpertsOfOneToken oneToken;

    /**
     * @param router  {@code [experts, dim]}
     * @param experts one feed-forward per expert
     * @param shared  null, or the shared expert
     */
    public MixtureOfExperts(Ops ops, Scratch scratch, int dim, Linear router, List<? extends FeedForward> experts,
                            Routing routing, SharedExpert shared) {
        this(ops, scratch, dim, router, experts, routing, shared, null, true);
    }

    /** A mixture whose experts {@code routing} picks and weighs, with a shared expert or none (null). */
    public MixtureOfExperts(Ops ops, Scratch scratch, int dim, Linear router, List<? extends FeedForward> experts, Router routing,
                            SharedExpert shared) {
        this(ops, scratch, dim, router, experts, new Routing(routing.expertsUsed(), false), shared, routing, true);
    }

    /** As the public constructor, with every token through the expert-by-expert path: what tests compare the one-token path with. */
    static MixtureOfExperts expertByExpert(Ops ops, Scratch scratch, int dim, Linear router, List<? extends FeedForward> experts,
                                           Routing routing, SharedExpert shared) {
        return new MixtureOfExperts(ops, scratch, dim, router, experts, routing, shared, null, false);
    }

    /** As {@link #expertByExpert}, with a custom router. */
    static MixtureOfExperts expertByExpert(Ops ops, Scratch scratch, int dim, Linear router, List<? extends FeedForward> experts,
                                           Router routing, SharedExpert shared) {
        return new MixtureOfExperts(ops, scratch, dim, router, experts, new Routing(routing.expertsUsed(), false), shared, routing,
                false);
    }

    private MixtureOfExperts(Ops ops, Scratch scratch, int dim, Linear router, List<? extends FeedForward> experts,
                             Routing routing, SharedExpert shared, Router customRouter, boolean oneTokenPath) {
        this.customRouter = customRouter;
        if (routing.expertsUsed() < 1 || routing.expertsUsed() > experts.size() || router.outFeatures() != experts.size()) {
            throw new IllegalArgumentException(routing + " over " + experts.size() + " experts, router of " + router.outFeatures());
        }
        this.ops = ops;
        this.router = router;
        this.experts = List.copyOf(experts);
        this.routing = routing;
        this.shared = shared;
        int maxBatch = scratch.maxBatch();
        this.routerLogits = scratch.buffer("moe.router", experts.size());
        this.gathered = scratch.buffer("moe.in", dim);
        this.expertOut = scratch.buffer("moe.out", dim);
        boolean gated = shared != null && shared.gate() != null;
        this.sharedGate = gated ? scratch.buffer("moe.shared_gate", 1) : null;
        this.routerLogitsHost = hostRows(scratch, routerLogits);
        this.sharedGateHost = gated ? hostRows(scratch, sharedGate) : null;
        int k = routing.expertsUsed();
        this.probabilities = new double[experts.size()];
        this.chosen = new int[maxBatch * k];
        this.chosenWeights = new double[maxBatch * k];
        this.gatheredTokens = new int[maxBatch];
        this.gatheredWeights = new float[maxBatch];
        this.started = new boolean[maxBatch];
        this.oneToken = oneTokenPath ? ExpertsOfOneToken.of(ops, scratch, dim, this.experts, k, shared == null ? null : shared.expert())
                : null;
    }

    /** Per n, the host copy of a buffer's first n rows (the buffer itself on a host backend). */
    private static Tensor[] hostRows(Scratch scratch, Scratch.Buffer b) {
        Tensor all = scratch.hostMirror(b.rows(scratch.maxBatch()));
        Tensor[] rows = new Tensor[scratch.maxBatch() + 1];
        for (int n = 1; n < rows.length; n++) {
            rows[n] = all == b.rows(scratch.maxBatch()) ? b.rows(n) : all.rows(0, n);
        }
        return rows;
    }

    /** {@code out[t] = Σ over chosen experts e of w_e · expert_e(x[t])  (+ sigmoid(x[t]·g) · shared(x[t]), or + shared(x[t]))}. */
    @Override
    public void forward(Tensor x, Tensor out) {
        int n = (int) x.size(0);
        int k = routing.expertsUsed();
        Tensor[] xRows = inRows.of(x), deltaRows = outRows.of(out);
        // router logits for all tokens at once: r = x · Wrouterᵀ   [n, experts]
        router.forward(x, routerLogits.rows(n));
        Tensor logits = toHost(routerLogits.rows(n), routerLogitsHost[n]);
        for (int t = 0; t < n; t++) {
            if (customRouter != null) {
                customRouter.route(logits.row(t), experts.size(), chosen, chosenWeights, t * k);
            } else {
                route(logits, t);
            }
            started[t] = false;
        }
        boolean gated = shared != null && shared.gate() != null;
        Tensor gate = null;
        if (gated) {
            shared.gate().forward(x, sharedGate.rows(n));
            gate = toHost(sharedGate.rows(n), sharedGateHost[n]);
        }
        if (n == 1 && oneToken != null && oneToken.forward(x, chosen, chosenWeights, gated, gated ? sigmoid(gate, 0) : 1, out)) {
            return;
        }
        if (gated) {
            // out[t] = sigmoid(x[t] · g) · shared(x[t])
            shared.expert().forward(x, expertOut.rows(n));
            for (int t = 0; t < n; t++) {
                ops.scale(expertOut.row(t), sigmoid(gate, t), deltaRows[t]);
                started[t] = true;
            }
        }
        for (int e = 0; e < experts.size(); e++) {
            // gather the rows of the m tokens routed to expert e
            int m = 0;
            for (int i = 0; i < n * k; i++) {
                if (chosen[i] == e) {
                    int t = i / k;
                    gatheredTokens[m] = t;
                    gatheredWeights[m] = (float) chosenWeights[i];
                    ops.copy(xRows[t], gathered.row(m));
                    m++;
                }
            }
            if (m == 0) {
                continue;
            }
            // y = expert_e(in) for the m gathered rows
            experts.get(e).forward(gathered.rows(m), expertOut.rows(m));
            // out[t] += weight * y[i]
            for (int i = 0; i < m; i++) {
                int t = gatheredTokens[i];
                Tensor y = expertOut.row(i);
                if (!started[t]) {
                    ops.scale(y, gatheredWeights[i], deltaRows[t]);
                    started[t] = true;
                } else {
                    ops.scale(y, gatheredWeights[i], y);
                    ops.add(deltaRows[t], y, deltaRows[t]);
                }
            }
        }
        if (shared != null && !gated) {
            // out += shared(x)
            shared.expert().forward(x, expertOut.rows(n));
            ops.add(out, expertOut.rows(n), out);
        }
    }

    /** {@code sigmoid(g[t])} of the shared expert's gate logits. */
    private static float sigmoid(Tensor gate, int t) {
        double g = gate.row(t).getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
        return (float) (1 / (1 + Math.exp(-g)));
    }

    private Tensor toHost(Tensor device, Tensor host) {
        if (host != device) {
            ops.copy(device, host);
        }
        return host;
    }

    /** Softmax over the router logits of token {@code t}, top-k, optionally renormalized: fills token t's choices. */
    private void route(Tensor routerLogits, int t) {
        int count = experts.size();
        int k = routing.expertsUsed();
        MemorySegment row = routerLogits.row(t);
        double max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < count; e++) {
            probabilities[e] = row.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e);
            max = Math.max(max, probabilities[e]);
        }
        double sum = 0;
        for (int e = 0; e < count; e++) {
            probabilities[e] = Math.exp(probabilities[e] - max);
            sum += probabilities[e];
        }
        // top-k by repeated selection (k is 1 to 8): the highest remaining probability, lowest index on ties
        double chosenSum = 0;
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int e = 0; e < count; e++) {
                if (!alreadyChosen(e, t * k, t * k + j) && (best < 0 || probabilities[e] > probabilities[best])) {
                    best = e;
                }
            }
            chosen[t * k + j] = best;
            chosenWeights[t * k + j] = probabilities[best] / sum;
            chosenSum += chosenWeights[t * k + j];
        }
        if (routing.normalizeTopK()) {
            for (int j = 0; j < k; j++) {
                chosenWeights[t * k + j] /= chosenSum;
            }
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

    /** The one-row views of the last tensor seen: made again only when a batch of another size comes (not per decoded token). */
    private static final class RowViews {
        private Tensor owner;
        private Tensor[] rows;

        Tensor[] of(Tensor t) {
            if (t != owner) {
                rows = new Tensor[(int) t.size(0)];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = t.rows(i, 1);
                }
                owner = t;
            }
            return rows;
        }
    }
}
