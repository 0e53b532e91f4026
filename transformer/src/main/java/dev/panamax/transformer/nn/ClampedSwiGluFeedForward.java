package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * gpt-oss's expert: a gated feed-forward with biases on all three projections and the clamped
 * SwiGLU of transformers' {@code GptOssExperts} (llama.cpp's {@code swiglu_oai}):
 *
 * <pre>
 *   g = x·W_gateᵀ + b_gate,  u = x·W_upᵀ + b_up                       [n, F]
 *   h = (clamp(u, -limit, limit) + 1) · min(g, limit) · sigmoid(alpha · min(g, limit))
 *   out = h·W_downᵀ + b_down                                          [n, dim]
 * </pre>
 */
public final class ClampedSwiGluFeedForward implements FeedForward {
    private final Ops ops;
    private final Linear gate, up, down;
    private final float alpha, limit;
    private final Scratch.Buffer gateOut, upOut;

    /** @param gate, up, down projections (each with its bias, or none) */
    public ClampedSwiGluFeedForward(Ops ops, Scratch scratch, Linear gate, Linear up, Linear down, float alpha, float limit) {
        this.ops = ops;
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.alpha = alpha;
        this.limit = limit;
        this.gateOut = scratch.buffer("ffn.gate", gate.outFeatures());
        this.upOut = scratch.buffer("ffn.up", up.outFeatures());
    }

    @Override
    public void forward(Tensor x, Tensor out) {
        int n = (int) x.size(0);
        Tensor g = gateOut.rows(n), u = upOut.rows(n);
        gate.forward(x, g);
        up.forward(x, u);
        ops.clampedSwiglu(g, u, alpha, limit, g);
        down.forward(g, out);
    }
}
