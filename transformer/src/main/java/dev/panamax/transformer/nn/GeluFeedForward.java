package dev.panamax.transformer.nn;

import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * The plain (ungated) feed-forward of GPT-2 and StarCoder 2, biases in the {@link Linear}s:
 *
 * <pre>
 *   out = gelu(x·W_upᵀ + b_up) · W_downᵀ + b_down
 * </pre>
 */
public final class GeluFeedForward implements FeedForward {
    private final Ops ops;
    private final Linear up, down;
    private final Gelu gelu;
    private final Scratch.Buffer hidden;

    /** @param gelu the exact form or the tanh approximation (StarCoder 2's {@code gelu_pytorch_tanh}) */
    public GeluFeedForward(Ops ops, Scratch scratch, Linear up, Linear down, Gelu gelu) {
        this.ops = ops;
        this.up = up;
        this.down = down;
        this.gelu = gelu;
        this.hidden = scratch.buffer("ffn.up", up.outFeatures());
    }

    @Override
    public void forward(Tensor x, Tensor out) {
        Tensor h = hidden.rows((int) x.size(0));
        up.forward(x, h);
        ops.gelu(h, gelu, h);
        down.forward(h, out);
    }
}
