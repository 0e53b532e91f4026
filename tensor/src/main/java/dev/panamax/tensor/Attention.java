package dev.panamax.tensor;

/**
 * The variants of attention beyond the plain causal one, for {@link Ops#attention(Tensor, Tensor, Tensor, int, float,
 * Attention, Tensor)}. Each is off by default; combine them with the {@code with...} methods, e.g.
 * {@code Attention.CAUSAL.withWindow(4096).withSoftCap(50)} for a Gemma 2 local layer, or take
 * {@link #BIDIRECTIONAL} for an encoder (BERT).
 *
 * <p>For a query at position {@code p} and a visible position {@code j}, the score is
 * <pre>
 *   s_j = scale * q · k_j;   if softCap > 0:  s_j = softCap * tanh(s_j / softCap)
 * </pre>
 * and the output is {@code sum_j w_j v_j} with {@code w_j = e^(s_j) / (e^(sink) + sum_i e^(s_i))}, where the
 * {@code e^(sink)} term is there only when {@code sinks} is given.
 *
 * @param window  0 for full causal attention (positions {@code 0 ... p}); otherwise the number of positions a query
 *                sees, itself included: {@code max(0, p - window + 1) ... p}. This is Hugging Face's
 *                {@code sliding_window} ({@code masking_utils.sliding_window_overlay}: {@code kv_idx > q_idx -
 *                sliding_window}) and llama.cpp's {@code n_swa} ({@code is_masked_swa}: masked when {@code p - j >=
 *                n_swa}), both as stored in the model's config or GGUF. Gemma 2/3 and gpt-oss interleave windowed
 *                and full layers: the caller passes a window only for the windowed ones.
 * @param softCap 0 for none; otherwise Gemma 2's {@code attn_logit_softcapping}, applied to the scaled score before
 *                the softmax (after the scale, as HF's {@code eager_attention_forward} and llama.cpp's
 *                {@code ggml_softcap} on {@code kq} do).
 * @param sinks   null for none; otherwise gpt-oss's learned sink logits, F32 {@code [Hq]}, one per query head, on the
 *                backend's device: each joins its head's softmax as one more logit whose value vector is zero (not
 *                scaled, not soft-capped), as HF's {@code GptOssAttention.sinks} and llama.cpp's
 *                {@code ggml_soft_max_add_sinks}.
 * @param bidirectional false for causal attention; true for an encoder's (BERT's {@code is_decoder = False},
 *                llama.cpp's {@code attention.causal = false}): every query of a call sees every position
 *                {@code 0 ... startPos + T - 1}, the later ones of its own batch included. Without a window only:
 *                a sliding window of an encoder is no model's and is refused.
 */
public record Attention(int window, float softCap, Tensor sinks, boolean bidirectional) {
    /** Plain causal attention over every cached position. */
    public static final Attention CAUSAL = new Attention(0, 0, null, false);

    /** An encoder's attention: each query sees every position written, before and after it. */
    public static final Attention BIDIRECTIONAL = new Attention(0, 0, null, true);

    /**
     * Checks the options (see the record's description for each).
     *
     * @throws IllegalArgumentException if {@code window} is negative, a window is combined with
     *         {@code bidirectional}, or {@code softCap} is negative, NaN or infinite
     */
    public Attention {
        if (window < 0) {
            throw new IllegalArgumentException("attention window must be 0 (none) or positive, got " + window);
        }
        if (bidirectional && window != 0) {
            throw new IllegalArgumentException("bidirectional attention with a sliding window of " + window
                    + " positions is not supported (no model uses it)");
        }
        if (!(softCap >= 0) || Float.isInfinite(softCap)) {
            throw new IllegalArgumentException("attention soft cap must be 0 (none) or positive and finite, got " + softCap);
        }
    }

    /**
     * Causal options: a window of {@code window} positions (0: none), a soft cap (0: none), sinks (null: none).
     *
     * @param window  the sliding window in positions, 0 for none
     * @param softCap the score cap, 0 for none
     * @param sinks   F32 {@code [Hq]} sink logits, null for none
     */
    public Attention(int window, float softCap, Tensor sinks) {
        this(window, softCap, sinks, false);
    }

    /**
     * These options with a sliding window of {@code window} positions (0: none).
     *
     * @param window positions a query sees, itself included
     * @return a copy with that window and the other options unchanged
     */
    public Attention withWindow(int window) {
        return new Attention(window, softCap, sinks, bidirectional);
    }

    /**
     * These options with the scores soft-capped at {@code cap} (0: none).
     *
     * @param cap positive and finite, or 0
     * @return a copy with that cap and the other options unchanged
     */
    public Attention withSoftCap(float cap) {
        return new Attention(window, cap, sinks, bidirectional);
    }

    /**
     * These options with one sink logit per query head (null: none).
     *
     * @param sinks F32 {@code [Hq]} on the backend's device, or null
     * @return a copy with those sinks and the other options unchanged
     */
    public Attention withSinks(Tensor sinks) {
        return new Attention(window, softCap, sinks, bidirectional);
    }

    /**
     * These options, causal or bidirectional.
     *
     * @param bidirectional true for an encoder's attention
     * @return a copy with that setting and the other options unchanged
     */
    public Attention withBidirectional(boolean bidirectional) {
        return new Attention(window, softCap, sinks, bidirectional);
    }

    /**
     * The first position visible from position {@code pos}.
     *
     * @param pos the query's position
     * @return 0 without a window, else the oldest position still inside it
     */
    public int firstVisible(int pos) {
        return window == 0 ? 0 : Math.max(0, pos - window + 1);
    }

    /**
     * The last position visible from position {@code pos} in a call whose last query sits at {@code lastQuery}:
     * {@code pos} itself (causal), or {@code lastQuery} (bidirectional).
     *
     * @param pos       the query's position
     * @param lastQuery the position of the call's last query
     * @return the newest position the query attends to
     */
    public int lastVisible(int pos, int lastQuery) {
        return bidirectional ? lastQuery : pos;
    }

    /** The options in one line, the sinks by their description. */
    @Override
    public String toString() {
        return "Attention[window=" + window + ", softCap=" + softCap + ", sinks=" + (sinks == null ? "none" : sinks.describe())
                + (bidirectional ? ", bidirectional" : "") + "]";
    }

    /**
     * Whether no option is set.
     *
     * @return true for plain causal attention, the same as {@link #CAUSAL}
     */
    public boolean isPlain() {
        return window == 0 && softCap == 0 && sinks == null && !bidirectional;
    }
}
