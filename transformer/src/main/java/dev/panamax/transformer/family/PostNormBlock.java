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
 * OLMo 2's block: no norm before the sub-layers, an RMSNorm after each, before the residual add
 * ({@code Olmo2DecoderLayer}):
 *
 * <pre>
 *   x = x + RMSNorm_post_attn(Attention(x))
 *   x = x + RMSNorm_post_ffn(FeedForward(x))
 * </pre>
 */
final class PostNormBlock implements Block {
    private final Ops ops;
    private final Attention attention;
    private final Norm attentionNorm;
    private final FeedForward feedForward;
    private final Norm ffnNorm;
    private final Scratch.Buffer delta;

    /**
     * @param attentionNorm the norm of attention's output ({@code post_attention_norm})
     * @param ffnNorm       the norm of the feed-forward's output ({@code post_ffw_norm})
     */
    PostNormBlock(Ops ops, Scratch scratch, int dim, Attention attention, Norm attentionNorm, FeedForward feedForward, Norm ffnNorm) {
        this.ops = ops;
        this.attention = attention;
        this.attentionNorm = attentionNorm;
        this.feedForward = feedForward;
        this.ffnNorm = ffnNorm;
        this.delta = scratch.buffer("block.delta", dim);
    }

    @Override
    public void forward(Tensor x, Rows rows) {
        Tensor delta = this.delta.rows(rows.count());
        // 1. attend to the un-normalized stream, normalize the result, add it
        attention.forward(x, rows, delta);
        attentionNorm.forward(delta, delta);
        ops.add(x, delta, x);
        // 2. the same for the feed-forward
        feedForward.forward(x, delta);
        ffnNorm.forward(delta, delta);
        ops.add(x, delta, x);
    }

    @Override
    public boolean canContinue(int slot, int position) {
        return attention.canContinue(slot, position);
    }
}
