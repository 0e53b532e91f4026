package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * One decoder block of a Llama-family model (Llama, Mistral, Mixtral, Qwen2, Qwen3, Qwen-MoE), step
 * by step. For the {@code n} tokens of a step (rows of the residual stream {@code x [n, dim]}:
 * the positions {@code pos ... pos + n - 1} of one sequence, or tokens of several sequences, as
 * {@link Rows} says; only attention looks at which):
 *
 * <pre>
 *   x = x + Attention(RMSNorm(x))
 *   x = x + FeedForward(RMSNorm(x))
 * </pre>
 *
 * Every step is one backend call on whole matrices, so the same code runs on the reference, CPU
 * and CUDA backends, for a prompt (n tokens) as for decoding (n = 1, or one row per sequence of a
 * batch: the weights are read once for all of them). Families whose block has
 * another shape (norms after the sub-layers, attention and feed-forward in parallel) have a block
 * class of their own next to their family file.
 */
public final class TransformerBlock implements Block {
    private final Ops ops;
    private final Norm attentionNorm;
    private final AttentionLayer attention;
    private final Norm ffnNorm;
    private final FeedForward feedForward;
    private final Scratch.Buffer xb, delta;

    /**
     * A pre-norm block: {@code x += attention(attentionNorm(x)); x += feedForward(ffnNorm(x))}.
     *
     * @param ops           the backend
     * @param scratch       the shared scratch memory the block takes its buffers from
     * @param dim           the model dimension
     * @param attentionNorm the norm before attention ({@code attn_norm})
     * @param attention     grouped-query {@link Attention}, or DeepSeek's latent attention
     * @param ffnNorm       the norm before the feed-forward ({@code ffn_norm})
     * @param feedForward   SwiGLU, or a mixture of experts
     */
    public TransformerBlock(Ops ops, Scratch scratch, int dim, Norm attentionNorm, AttentionLayer attention, Norm ffnNorm,
                            FeedForward feedForward) {
        this.ops = ops;
        this.attentionNorm = attentionNorm;
        this.attention = attention;
        this.ffnNorm = ffnNorm;
        this.feedForward = feedForward;
        this.xb = scratch.buffer("block.xb", dim);
        this.delta = scratch.buffer("block.delta", dim);
    }

    /** Runs the block on {@code x [n, dim]} (the tokens {@code rows} describes), updating it in place. */
    @Override
    public void forward(Tensor x, Rows rows) {
        int n = rows.count();
        Tensor xb = this.xb.rows(n), delta = this.delta.rows(n);

        // 1. normalize: xb = x / sqrt(mean(x²) + eps) * g_attn
        attentionNorm.forward(x, xb);
        // 2.-6. attend (nn/Attention.java): project, rotate, cache, attend (each sequence its own cache), mix the heads
        attention.forward(xb, rows, delta);
        // 7. residual: x = x + delta
        ops.add(x, delta, x);

        // 8. normalize: xb = RMSNorm(x) * g_ffn
        ffnNorm.forward(x, xb);
        // 9. feed-forward: delta = (silu(xb·Wgateᵀ) * (xb·Wupᵀ)) · Wdownᵀ, or the mixture of experts
        feedForward.forward(xb, delta);
        // 10. residual: x = x + delta
        ops.add(x, delta, x);
    }

    @Override
    public boolean canContinue(int slot, int position) {
        return attention.canContinue(slot, position);
    }
}
