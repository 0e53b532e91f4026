package dev.panamax.tensor;

/**
 * The variants of causal attention beyond the plain one, for {@link Ops#attention(Tensor, Tensor, Tensor, int, float,
 * Attention, Tensor)}. Each is off by default; combine them with the {@code with...} methods, e.g.
 * {@code Attention.CAUSAL.withWindow(4096).withSoftCap(50)} for a Gemma 2 local layer.
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
 */
public record Attention(int window, float softCap, Tensor sinks) {
    /** Plain causal attention over every cached position. */
    public static final Attention CAUSAL = new Attention(0, 0, null);

    public Attention {
        if (window < 0) {
            throw new IllegalArgumentException("attention window must be 0 (none) or positive, got " + window);
        }
        if (!(softCap >= 0) || Float.isInfinite(softCap)) {
            throw new IllegalArgumentException("attention soft cap must be 0 (none) or positive and finite, got " + softCap);
        }
    }

    /** These options with a sliding window of {@code window} positions (0: none). */
    public Attention withWindow(int window) {
        return new Attention(window, softCap, sinks);
    }

    /** These options with the scores soft-capped at {@code cap} (0: none). */
    public Attention withSoftCap(float cap) {
        return new Attention(window, cap, sinks);
    }

    /** These options with one sink logit per query head (null: none). */
    public Attention withSinks(Tensor sinks) {
        return new Attention(window, softCap, sinks);
    }

    /** The first position visible from position {@code pos}. */
    public int firstVisible(int pos) {
        return window == 0 ? 0 : Math.max(0, pos - window + 1);
    }

    /** The options in one line, the sinks by their description. */
    @Override
    public String toString() {
        return "Attention[window=" + window + ", softCap=" + softCap + ", sinks=" + (sinks == null ? "none" : sinks.describe())
                + "]";
    }

    /** Whether no option is set. */
    public boolean isPlain() {
        return window == 0 && softCap == 0 && sinks == null;
    }
}
