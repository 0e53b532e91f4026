package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.Norm;
import dev.panamax.transformer.nn.Rows;

/**
 * BERT's embeddings after the token lookup, run as the first block (the only step that knows the
 * positions): {@code x = LayerNorm(x + P[pos ...])}, where {@code P} holds the learned position
 * embeddings with token type 0's row already added ({@code BertEmbeddings.forward}).
 */
final class PositionEmbeddingBlock implements Block {
    private final Ops ops;
    private final Tensor positions;
    private final Norm norm;

    /** @param positions F32 {@code [positions, dim]} on the backend */
    PositionEmbeddingBlock(Ops ops, Tensor positions, Norm norm) {
        this.ops = ops;
        this.positions = positions;
        this.norm = norm;
    }

    @Override
    public void forward(Tensor x, Rows rows) {
        int n = (int) x.size(0), pos = EncoderAttention.position(rows);
        if (pos + n > positions.size(0)) {
            throw new IllegalArgumentException(n + " tokens at position " + pos + " exceed the " + positions.size(0)
                    + " learned positions of this encoder");
        }
        ops.add(x, positions.rows(pos, n), x);
        norm.forward(x, x);
    }

    /** Caches nothing. */
    @Override
    public boolean canContinue(int slot, int position) {
        return true;
    }
}
