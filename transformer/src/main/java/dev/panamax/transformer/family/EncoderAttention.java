package dev.panamax.transformer.family;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.Rows;
import dev.panamax.transformer.nn.Scratch;

/**
 * BERT's self-attention ({@code BertSelfAttention} + the dense of {@code BertSelfOutput}): every
 * token of a text attends to every other, before and after it, so the whole text is one batch from
 * position 0 and no cache is kept:
 *
 * <pre>
 *   q, k, v = x·W_qᵀ + b_q,  x·W_kᵀ + b_k,  x·W_vᵀ + b_v          [n, H, D], no rotation
 *   out = softmax(q·Kᵀ / sqrt(D)) · V  ·  W_oᵀ + b_o              over all n positions
 * </pre>
 */
final class EncoderAttention {
    private final Ops ops;
    private final Linear wq, wk, wv, wo;
    private final float scale;
    private final Scratch.Buffer q, k, v, out;

    EncoderAttention(Ops ops, Scratch scratch, int heads, int headDim, Linear wq, Linear wk, Linear wv, Linear wo) {
        this.ops = ops;
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.scale = (float) (1 / Math.sqrt(headDim));
        this.q = scratch.buffer("encoder.q", heads, headDim);
        this.k = scratch.buffer("encoder.k", heads, headDim);
        this.v = scratch.buffer("encoder.v", heads, headDim);
        this.out = scratch.buffer("encoder.out", heads, headDim);
    }

    /**
     * The position of a step's rows, which for an encoder must be one text: one run.
     *
     * @throws IllegalArgumentException if the rows belong to several sequences (an encoder is not batched across texts)
     */
    static int position(Rows rows) {
        if (rows.runs() != 1) {
            throw new IllegalArgumentException("an encoder reads one text per forward step, got " + rows.runs() + " sequences");
        }
        return rows.position(0);
    }

    /**
     * {@code result [n, dim] = Attention(x [n, dim])}, {@code x} being a whole text.
     *
     * @throws IllegalArgumentException if {@code pos} is not 0: a text continued in a later batch would not be seen by
     *                                  the tokens of the earlier one
     */
    void forward(Tensor x, int pos, Tensor result) {
        if (pos != 0) {
            throw new IllegalArgumentException("an encoder reads a whole text in one batch from position 0, got a batch at position "
                    + pos + " (a text longer than the batch, or a continued sequence)");
        }
        int n = (int) x.size(0);
        wq.forward(x, q.rows(n));
        wk.forward(x, k.rows(n));
        wv.forward(x, v.rows(n));
        // the batch's own k and v [n, H, D] stand in for a cache of n positions
        ops.attention(q.heads(n), k.heads(n), v.heads(n), 0, scale, Attention.BIDIRECTIONAL, out.heads(n));
        wo.forward(out.rows(n), result);
    }
}
