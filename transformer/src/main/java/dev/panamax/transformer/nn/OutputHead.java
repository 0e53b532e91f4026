package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * The last step: {@code logits = Norm(x) · W_outᵀ · scale}, then soft-capped if the family says so
 * ({@code cap · tanh(logits / cap)}: Gemma 2's {@code final_logit_softcapping}). The scale is a
 * family's (Granite divides by its logit scale); 1 for most.
 */
public final class OutputHead {
    private final Ops ops;
    private final Norm norm;
    private final Linear output;
    private final float scale;
    private final float softCap;

    /** @param output {@code [vocab, dim]}: its own matrix, or the embedding table when tied; null for an encoder (no logits) */
    public OutputHead(Ops ops, Norm norm, Linear output, float scale) {
        this(ops, norm, output, scale, 0);
    }

    /** @param softCap 0 for none, else the cap (positive, finite) */
    public OutputHead(Ops ops, Norm norm, Linear output, float scale, float softCap) {
        if (!(softCap >= 0) || Float.isInfinite(softCap)) {
            throw new IllegalArgumentException("logit soft-cap must be 0 (none) or positive and finite, got " + softCap);
        }
        this.ops = ops;
        this.norm = norm;
        this.output = output;
        this.scale = scale;
        this.softCap = softCap;
    }

    /** The final norm, whose output embedding models pool. */
    public Norm norm() {
        return norm;
    }

    /** {@code logits [1, vocab] = softcap(Norm(x [1, dim]) · W_outᵀ · scale)}, with {@code normed [1, dim]} as scratch. */
    public void forward(Tensor x, Tensor normed, Tensor logits) {
        if (output == null) {
            throw new UnsupportedOperationException("this model is an encoder without an output head: it gives embeddings"
                    + " (hidden states), not next-token logits");
        }
        norm.forward(x, normed);
        output.forward(normed, logits);
        if (scale != 1) {
            ops.scale(logits, scale, logits);
        }
        if (softCap != 0) {
            ops.softcap(logits, softCap, logits);
        }
    }
}
