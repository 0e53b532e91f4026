package dev.panamax.transformer.sampling;

/**
 * The forward pass produced a NaN or infinite logit, so no token can be sampled honestly: the
 * weights hold NaN/Inf values, or activations overflowed. Names the position and the token.
 */
public final class NonFiniteLogitsException extends ArithmeticException {
    /** The tokens in the sequence when the logits were computed. */
    private final int position;
    /** The first token whose logit is not finite. */
    private final int token;

    /**
     * Creates the exception.
     *
     * @param position the tokens in the sequence when the logits were computed
     * @param token    the first token whose logit is not finite
     * @param value    that logit: NaN or an infinity
     */
    public NonFiniteLogitsException(int position, int token, float value) {
        super("the logits after position " + (position - 1) + " are not finite (logit of token " + token + " = " + value
                + "): the model's weights contain NaN or infinity, or its activations overflowed; generation stopped");
        this.position = position;
        this.token = token;
    }

    /** {@return tokens in the sequence when the logits were computed} */
    public int position() {
        return position;
    }

    /** {@return the first token whose logit is not finite} */
    public int token() {
        return token;
    }
}
