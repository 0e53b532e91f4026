package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.FeedForward;
import dev.panamax.transformer.nn.Norm;
import dev.panamax.transformer.nn.Scratch;

/**
 * A DeepSeek V2/V3 block: Llama's pre-norm shape around {@link LatentAttention} (which is not the
 * grouped-query {@link dev.panamax.transformer.nn.Attention} of {@link dev.panamax.transformer.TransformerBlock}):
 *
 * <pre>
 *   x = x + MLA(RMSNorm(x))
 *   x = x + FeedForward(RMSNorm(x))     dense SwiGLU (leading layers) or routed + shared experts
 * </pre>
 */
final class DeepSeek2Block implements Block {
    private final Ops ops;
    private final Norm attentionNorm, ffnNorm;
    private final LatentAttention attention;
    private final FeedForward feedForward;
    private final Scratch.Buffer xb, delta;

    DeepSeek2Block(Ops ops, Scratch scratch, int dim, Norm attentionNorm, LatentAttention attention, Norm ffnNorm,
                   FeedForward feedForward) {
        this.ops = ops;
        this.attentionNorm = attentionNorm;
        this.attention = attention;
        this.ffnNorm = ffnNorm;
        this.feedForward = feedForward;
        this.xb = scratch.buffer("block.xb", dim);
        this.delta = scratch.buffer("block.delta", dim);
    }

    @Override
    public void forward(Tensor x, int pos) {
        int n = (int) x.size(0);
        Tensor xb = this.xb.rows(n), delta = this.delta.rows(n);
        attentionNorm.forward(x, xb);
        attention.forward(xb, pos, delta);
        ops.add(x, delta, x);
        ffnNorm.forward(x, xb);
        feedForward.forward(xb, delta);
        ops.add(x, delta, x);
    }
}
