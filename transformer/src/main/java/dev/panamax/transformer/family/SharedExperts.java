package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.FeedForward;
import dev.panamax.transformer.nn.Scratch;

/**
 * DeepSeekMoE's feed-forward: the routed experts plus the shared experts, which see every token
 * ungated ({@code n_shared_experts} of them, stored as one SwiGLU of {@code n_shared · moe_ffn} width).
 */
final class SharedExperts implements FeedForward {
    private final Ops ops;
    private final FeedForward routed, shared;
    private final Scratch.Buffer sharedOut;

    SharedExperts(Ops ops, Scratch scratch, int dim, FeedForward routed, FeedForward shared) {
        this.ops = ops;
        this.routed = routed;
        this.shared = shared;
        this.sharedOut = scratch.buffer("deepseek.shared_out", dim);
    }

    /** {@code out = routed(x) + shared(x)}. */
    @Override
    public void forward(Tensor x, Tensor out) {
        int n = (int) x.size(0);
        routed.forward(x, out);
        shared.forward(x, sharedOut.rows(n));
        ops.add(out, sharedOut.rows(n), out);
    }
}
