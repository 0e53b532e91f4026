package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * The last step: {@code logits = Norm(x) · W_outᵀ · scale}. The scale is a family's (Granite
 * divides by its logit scale); 1 for most. A logit soft-cap (Gemma 2) goes here too.
 */
public final class OutputHead {
    private final Ops ops;
    private final Norm norm;
    private final Linear output;
    private final float scale;

    /** @param output {@code [vocab, dim]}: its own matrix, or the embedding table when tied */
    public OutputHead(Ops ops, Norm norm, Linear output, float scale) {
        this.ops = ops;
        this.norm = norm;
        this.output = output;
        this.scale = scale;
    }

    /** The final norm, whose output embedding models pool. */
    public Norm norm() {
        return norm;
    }

    /** {@code logits [1, vocab] = Norm(x [1, dim]) · W_outᵀ · scale}, with {@code normed [1, dim]} as scratch. */
    public void forward(Tensor x, Tensor normed, Tensor logits) {
        norm.forward(x, normed);
        output.forward(normed, logits);
        if (scale != 1) {
            ops.scale(logits, scale, logits);
        }
    }
}
