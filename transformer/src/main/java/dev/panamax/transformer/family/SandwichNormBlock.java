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
 * Gemma 2 and 3's block: each sub-layer between two norms, its output normalized before it joins the
 * residual stream ({@code Gemma2DecoderLayer}, {@code Gemma3DecoderLayer}):
 *
 * <pre>
 *   x = x + PostAttentionNorm(Attention(InputNorm(x)))
 *   x = x + PostFeedForwardNorm(FeedForward(PreFeedForwardNorm(x)))
 * </pre>
 *
 * GGUF names the four norms {@code attn_norm}, {@code post_attention_norm}, {@code ffn_norm},
 * {@code post_ffw_norm}; Hugging Face {@code input_layernorm}, {@code post_attention_layernorm},
 * {@code pre_feedforward_layernorm}, {@code post_feedforward_layernorm}.
 */
final class SandwichNormBlock implements Block {
    private final Ops ops;
    private final Norm inputNorm, postAttentionNorm, preFeedForwardNorm, postFeedForwardNorm;
    private final Attention attention;
    private final FeedForward feedForward;
    private final Scratch.Buffer xb, delta;

    SandwichNormBlock(Ops ops, Scratch scratch, int dim, Norm inputNorm, Attention attention, Norm postAttentionNorm,
                      Norm preFeedForwardNorm, FeedForward feedForward, Norm postFeedForwardNorm) {
        this.ops = ops;
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.preFeedForwardNorm = preFeedForwardNorm;
        this.feedForward = feedForward;
        this.postFeedForwardNorm = postFeedForwardNorm;
        this.xb = scratch.buffer("block.xb", dim);
        this.delta = scratch.buffer("block.delta", dim);
    }

    @Override
    public void forward(Tensor x, Rows rows) {
        int n = rows.count();
        Tensor xb = this.xb.rows(n), delta = this.delta.rows(n);

        // x = x + PostAttentionNorm(Attention(InputNorm(x)))   (xb is free again once attention has read it)
        inputNorm.forward(x, xb);
        attention.forward(xb, rows, delta);
        postAttentionNorm.forward(delta, xb);
        ops.add(x, xb, x);

        // x = x + PostFeedForwardNorm(FeedForward(PreFeedForwardNorm(x)))
        preFeedForwardNorm.forward(x, xb);
        feedForward.forward(xb, delta);
        postFeedForwardNorm.forward(delta, xb);
        ops.add(x, xb, x);
    }

    @Override
    public boolean canContinue(int slot, int position) {
        return attention.canContinue(slot, position);
    }
}
