package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.FeedForward;
import dev.panamax.transformer.nn.Norm;
import dev.panamax.transformer.nn.Rows;
import dev.panamax.transformer.nn.Scratch;

/**
 * BERT's block ({@code BertLayer}): each sub-layer's output is added to its input and the sum
 * normalized, the original Transformer's post-norm order:
 *
 * <pre>
 *   x = LayerNorm_attn(x + Attention(x))        BertSelfOutput
 *   x = LayerNorm_out(x + FeedForward(x))       BertIntermediate + BertOutput
 * </pre>
 */
final class EncoderBlock implements Block {
    private final Ops ops;
    private final EncoderAttention attention;
    private final Norm attentionNorm;
    private final FeedForward feedForward;
    private final Norm outputNorm;
    private final Scratch.Buffer delta;

    /**
     * @param attentionNorm {@code attn_output_norm} / {@code attention.output.LayerNorm}
     * @param outputNorm    {@code layer_output_norm} / {@code output.LayerNorm}
     */
    EncoderBlock(Ops ops, Scratch scratch, int dim, EncoderAttention attention, Norm attentionNorm, FeedForward feedForward,
                 Norm outputNorm) {
        this.ops = ops;
        this.attention = attention;
        this.attentionNorm = attentionNorm;
        this.feedForward = feedForward;
        this.outputNorm = outputNorm;
        this.delta = scratch.buffer("encoder.delta", dim);
    }

    @Override
    public void forward(Tensor x, Rows rows) {
        Tensor delta = this.delta.rows((int) x.size(0));
        attention.forward(x, EncoderAttention.position(rows), delta);
        ops.add(x, delta, x);
        attentionNorm.forward(x, x);
        feedForward.forward(x, delta);
        ops.add(x, delta, x);
        outputNorm.forward(x, x);
    }

    /** The encoder's attention keeps every position it was given (no window cache). */
    @Override
    public boolean canContinue(int slot, int position) {
        return true;
    }
}
