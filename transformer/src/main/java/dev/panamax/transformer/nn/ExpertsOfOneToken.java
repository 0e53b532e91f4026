package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * The experts of one token (a decode step) in two backend calls: the gate and up products of all
 * {@code k} chosen experts, and of the shared expert if there is one, in one {@link Ops#matmuls}, then, after
 * each expert's activation, their down products in another. Expert by expert these take a hand-off to the
 * backend's threads per product (3k per layer, 3 more for a shared expert), each a few hundred microseconds of
 * work; a hand-off costs microseconds idle and up to a scheduler slice on a busy machine. The products, biases,
 * activations, weights and sums are those of {@link MixtureOfExperts}'s expert-by-expert path, done in the same
 * order (a gated shared expert first, scaled by its gate; the routed experts by increasing index; an ungated
 * shared expert last), so the output is bit for bit the same. Allocates nothing per token.
 */
final class ExpertsOfOneToken {
    private final Ops ops;
    private final List<FeedForward> experts;
    private final int k;
    /** Per chosen expert j: its gate, up and down outputs (views of three shared tensors). */
    private final Tensor[] gateOut, upOut, downOut;
    /** The arguments of the two {@link Ops#matmuls} calls, refilled per token (a shared expert's last). */
    private final Tensor[] upX, upW, upOutArgs, downX, downW, downOutArgs;
    /** Null, or the shared expert whose products join the two calls, and its outputs. */
    private final GatedFeedForward shared;
    private final Tensor sharedGateOut, sharedUpOut, sharedDownOut;
    /** The token's experts by increasing index, and their weights. */
    private final int[] order;
    private final float[] weights;

    private ExpertsOfOneToken(Ops ops, Scratch scratch, int dim, List<FeedForward> experts, int k, int width,
                              GatedFeedForward shared) {
        this.ops = ops;
        this.experts = experts;
        this.k = k;
        this.shared = shared;
        int sharedWidth = shared == null ? 1 : shared.gate().outFeatures();
        sharedGateOut = shared == null ? null : scratch.tensor("moe1.shared_gate", 1, sharedWidth);
        sharedUpOut = shared == null ? null : scratch.tensor("moe1.shared_up", 1, sharedWidth);
        sharedDownOut = shared == null ? null : scratch.tensor("moe1.shared_down", 1, dim);
        Tensor gates = scratch.tensor("moe1.gate", 1, k * width), ups = scratch.tensor("moe1.up", 1, k * width);
        Tensor downs = scratch.tensor("moe1.down", 1, k * dim);
        gateOut = new Tensor[k];
        upOut = new Tensor[k];
        downOut = new Tensor[k];
        for (int j = 0; j < k; j++) {
            gateOut[j] = gates.narrow(1, (long) j * width, width);
            upOut[j] = ups.narrow(1, (long) j * width, width);
            downOut[j] = downs.narrow(1, (long) j * dim, dim);
        }
        int more = shared == null ? 0 : 1;
        upX = new Tensor[2 * (k + more)];
        upW = new Tensor[2 * (k + more)];
        upOutArgs = new Tensor[2 * (k + more)];
        downX = new Tensor[k + more];
        downW = new Tensor[k + more];
        downOutArgs = new Tensor[k + more];
        System.arraycopy(gateOut, 0, downX, 0, k);
        System.arraycopy(downOut, 0, downOutArgs, 0, k);
        if (shared != null) {
            upW[2 * k] = shared.gate().weight();
            upOutArgs[2 * k] = sharedGateOut;
            upW[2 * k + 1] = shared.up().weight();
            upOutArgs[2 * k + 1] = sharedUpOut;
            downX[k] = sharedGateOut;
            downW[k] = shared.down().weight();
            downOutArgs[k] = sharedDownOut;
        }
        order = new int[k];
        weights = new float[k];
    }

    /**
     * The one-token path over {@code experts} and {@code shared} (null: none), or null when an expert is not a gated
     * feed-forward of the others' width, or the shared expert is not a gated feed-forward.
     */
    static ExpertsOfOneToken of(Ops ops, Scratch scratch, int dim, List<FeedForward> experts, int k, FeedForward shared) {
        if (shared != null && !(shared instanceof GatedFeedForward)) {
            return null;
        }
        int width = -1;
        for (FeedForward e : experts) {
            if (!(e instanceof GatedFeedForward g) || g.up().outFeatures() != g.gate().outFeatures()
                    || (width >= 0 && g.gate().outFeatures() != width)) {
                return null;
            }
            width = g.gate().outFeatures();
        }
        return width < 0 ? null : new ExpertsOfOneToken(ops, scratch, dim, experts, k, width, (GatedFeedForward) shared);
    }

    /**
     * {@code out = Σ_j weight_j · expert_{chosen[j]}(x)} for the one token {@code x [1, dim]}, with the shared
     * expert's output: first, times {@code sharedScale}, when {@code sharedFirst} (Qwen2-MoE's sigmoid gate), else
     * added last (DeepSeekMoE's ungated shared experts).
     *
     * @return false, having done nothing, when a chosen or the shared expert has adapters: the caller's path then runs
     */
    boolean forward(Tensor x, int[] chosen, double[] chosenWeights, boolean sharedFirst, float sharedScale, Tensor out) {
        // the chosen experts by increasing index, as the expert-by-expert path meets them (k is at most 8 or so)
        for (int j = 0; j < k; j++) {
            int e = chosen[j];
            float w = (float) chosenWeights[j];
            int i = j;
            while (i > 0 && order[i - 1] > e) {
                order[i] = order[i - 1];
                weights[i] = weights[i - 1];
                i--;
            }
            order[i] = e;
            weights[i] = w;
        }
        for (int j = 0; j < k; j++) {
            GatedFeedForward g = (GatedFeedForward) experts.get(order[j]);
            if (g.gate().adapted() || g.up().adapted() || g.down().adapted()) {
                return false;
            }
            upX[2 * j] = x;
            upW[2 * j] = g.gate().weight();
            upOutArgs[2 * j] = gateOut[j];
            upX[2 * j + 1] = x;
            upW[2 * j + 1] = g.up().weight();
            upOutArgs[2 * j + 1] = upOut[j];
            downW[j] = g.down().weight();
        }
        int more = 0;
        if (shared != null) {
            if (shared.gate().adapted() || shared.up().adapted() || shared.down().adapted()) {
                return false;
            }
            upX[2 * k] = x;
            upX[2 * k + 1] = x;
            more = 1;
        }
        ops.matmuls(upX, upW, upOutArgs, 2 * (k + more));
        for (int j = 0; j < k; j++) {
            GatedFeedForward g = (GatedFeedForward) experts.get(order[j]);
            addBias(gateOut[j], g.gate().bias());
            addBias(upOut[j], g.up().bias());
            g.activation().apply(ops, gateOut[j], upOut[j], gateOut[j]);
        }
        if (shared != null) {
            addBias(sharedGateOut, shared.gate().bias());
            addBias(sharedUpOut, shared.up().bias());
            shared.activation().apply(ops, sharedGateOut, sharedUpOut, sharedGateOut);
        }
        ops.matmuls(downX, downW, downOutArgs, k + more);
        boolean started = false;
        if (shared != null) {
            addBias(sharedDownOut, shared.down().bias());
            if (sharedFirst) {
                ops.scale(sharedDownOut, sharedScale, out);
                started = true;
            }
        }
        for (int j = 0; j < k; j++) {
            Tensor y = downOut[j];
            addBias(y, ((GatedFeedForward) experts.get(order[j])).down().bias());
            if (!started && j == 0) {
                ops.scale(y, weights[j], out);
            } else {
                ops.scale(y, weights[j], y);
                ops.add(out, y, out);
            }
        }
        if (shared != null && !sharedFirst) {
            ops.add(out, sharedDownOut, out);
        }
        return true;
    }

    private void addBias(Tensor t, Tensor bias) {
        if (bias != null) {
            ops.add(t, bias, t);
        }
    }
}
