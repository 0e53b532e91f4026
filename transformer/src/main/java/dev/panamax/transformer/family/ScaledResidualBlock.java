package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.FeedForward;
import dev.panamax.transformer.nn.Norm;
import dev.panamax.transformer.nn.Rows;
import dev.panamax.transformer.nn.Scratch;

/**
 * Granite's block: Llama's pre-norm block whose sub-layer outputs are scaled by the residual
 * multiplier before each residual add ({@code GraniteDecoderLayer}):
 *
 * <pre>
 *   x = x + r · Attention(RMSNorm(x))
 *   x = x + r · FeedForward(RMSNorm(x))
 * </pre>
 */
final class ScaledResidualBlock implements Block {
    private final Ops ops;
    private final Norm attentionNorm;
    private final Attention attention;
    private final Norm ffnNorm;
    private final FeedForward feedForward;
    private final float residualScale;
    private final Scratch.Buffer xb, delta;

    ScaledResidualBlock(Ops ops, Scratch scratch, int dim, Norm attentionNorm, Attention attention, Norm ffnNorm,
                        FeedForward feedForward, float residualScale) {
        this.ops = ops;
        this.attentionNorm = attentionNorm;
        this.attention = attention;
        this.ffnNorm = ffnNorm;
        this.feedForward = feedForward;
        this.residualScale = residualScale;
        this.xb = scratch.buffer("block.xb", dim);
        this.delta = scratch.buffer("block.delta", dim);
    }

    @Override
    public void forward(Tensor x, Rows rows) {
        int n = rows.count();
        Tensor xb = this.xb.rows(n), delta = this.delta.rows(n);
        attentionNorm.forward(x, xb);
        attention.forward(xb, rows, delta);
        residual(x, delta);
        ffnNorm.forward(x, xb);
        feedForward.forward(xb, delta);
        residual(x, delta);
    }

    /** {@code x = x + r · delta}. */
    private void residual(Tensor x, Tensor delta) {
        if (residualScale != 1) {
            ops.scale(delta, residualScale, delta);
        }
        ops.add(x, delta, x);
    }

    @Override
    public boolean canContinue(int slot, int position) {
        return attention.canContinue(slot, position);
    }
}
