package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * The gated feed-forward of Llama and its descendants (SwiGLU, GeGLU, or gpt-oss's clamped SwiGLU
 * with biases on all three projections: {@link GateActivation}):
 *
 * <pre>
 *   h   = act(x·W_gateᵀ, x·W_upᵀ)          [n, F]   usually act(g) ⊙ u
 *   out = h · W_downᵀ                      [n, dim]
 * </pre>
 *
 * Also one expert of a {@link MixtureOfExperts}.
 */
public final class GatedFeedForward implements FeedForward {
    private final Ops ops;
    private final Linear gate, up, down;
    private final GateActivation activation;
    private final Scratch.Buffer gateOut, upOut;

    public GatedFeedForward(Ops ops, Scratch scratch, Linear gate, Linear up, Linear down, GateActivation activation) {
        this.ops = ops;
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.activation = activation;
        this.gateOut = scratch.buffer("ffn.gate", gate.outFeatures());
        this.upOut = scratch.buffer("ffn.up", up.outFeatures());
    }

    /** The gate projection {@code [F, dim]}. */
    public Linear gate() {
        return gate;
    }

    /** The up projection {@code [F, dim]}. */
    public Linear up() {
        return up;
    }

    /** The down projection {@code [dim, F]}. */
    public Linear down() {
        return down;
    }

    /** The nonlinearity between them. */
    public GateActivation activation() {
        return activation;
    }

    @Override
    public void forward(Tensor x, Tensor out) {
        int n = (int) x.size(0);
        Tensor g = gateOut.rows(n), u = upOut.rows(n);
        gate.forward(x, g);
        up.forward(x, u);
        activation.apply(ops, g, u, g);
        down.forward(g, out);
    }
}
