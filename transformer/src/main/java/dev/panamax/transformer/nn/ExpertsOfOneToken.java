package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * The routed experts of one token (a decode step) in two backend calls: the gate and up products of all
 * {@code k} chosen experts in one {@link Ops#matmuls}, then, after each expert's activation, their down products
 * in another. Expert by expert these take a hand-off to the backend's threads per product (3k per layer), each a
 * few hundred microseconds of work; a hand-off costs microseconds idle and up to a scheduler slice on a busy
 * machine. The products, biases, activations, weights and sums are those of {@link MixtureOfExperts}'s
 * expert-by-expert path, done in the same order (experts by increasing index), so the output is bit for bit the
 * same. Allocates nothing per token.
 */
final class ExpertsOfOneToken {
    private final Ops ops;
    private final List<FeedForward> experts;
    private final int k;
    /** Per chosen expert j: its gate, up and down outputs (views of three shared tensors). */
    private final Tensor[] gateOut, upOut, downOut;
    /** The arguments of the two {@link Ops#matmuls} calls, refilled per token. */
    private final Tensor[] upX, upW, upOutArgs, downW;
    /** The token's experts by increasing index, and their weights. */
    private final int[] order;
    private final float[] weights;

    private ExpertsOfOneToken(Ops ops, Scratch scratch, int dim, List<FeedForward> experts, int k, int width) {
        this.ops = ops;
        this.experts = experts;
        this.k = k;
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
        upX = new Tensor[2 * k];
        upW = new Tensor[2 * k];
        upOutArgs = new Tensor[2 * k];
        downW = new Tensor[k];
        order = new int[k];
        weights = new float[k];
    }

    /** The one-token path over {@code experts}, or null when one of them is not a gated feed-forward of the others' width. */
    static ExpertsOfOneToken of(Ops ops, Scratch scratch, int dim, List<FeedForward> experts, int k) {
        int width = -1;
        for (FeedForward e : experts) {
            if (!(e instanceof GatedFeedForward g) || g.up().outFeatures() != g.gate().outFeatures()
                    || (width >= 0 && g.gate().outFeatures() != width)) {
                return null;
            }
            width = g.gate().outFeatures();
        }
        return width < 0 ? null : new ExpertsOfOneToken(ops, scratch, dim, experts, k, width);
    }

    /**
     * {@code out (+)= Σ_j weight_j · expert_{chosen[j]}(x)} for the one token {@code x [1, dim]}, adding to
     * {@code out} when {@code started} (a shared expert's output is there), else writing it.
     *
     * @return false, having done nothing, when a chosen expert has adapters: the caller's path then runs
     */
    boolean forward(Tensor x, int[] chosen, double[] chosenWeights, boolean started, Tensor out) {
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
        ops.matmuls(upX, upW, upOutArgs, 2 * k);
        for (int j = 0; j < k; j++) {
            GatedFeedForward g = (GatedFeedForward) experts.get(order[j]);
            addBias(gateOut[j], g.gate().bias());
            addBias(upOut[j], g.up().bias());
            g.activation().apply(ops, gateOut[j], upOut[j], gateOut[j]);
        }
        ops.matmuls(gateOut, downW, downOut, k);
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
        return true;
    }

    private void addBias(Tensor t, Tensor bias) {
        if (bias != null) {
            ops.add(t, bias, t);
        }
    }
}
