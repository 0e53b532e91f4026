package dev.panamax.tensor;

import java.lang.foreign.Arena;

/**
 * The operations a compute backend provides: everything a Llama-family forward pass needs.
 *
 * <p>Conventions shared by every method:
 * <ul>
 * <li>Activations are F32 tensors whose last dimension is contiguous; leading dimensions are rows
 * (tokens). Outputs are written by the method into the caller's {@code out} tensor, which has
 * the documented shape; every output element is written.</li>
 * <li>{@code out} may be the same tensor as an input for element-wise operations, softmax, norms and
 * RoPE (in place), but must not partially overlap one.</li>
 * <li>Shapes and dtypes are checked: a mismatch throws {@link IllegalArgumentException} naming the
 * operation and the shapes.</li>
 * <li>Tensors must live where the backend computes ({@link #allocate}, {@link #upload}); host
 * backends accept any host tensor from a shared, automatic or global arena.</li>
 * </ul>
 * Implementations are {@code reference} (plain scalar Java, the readable oracle), {@code cpu} (Vector
 * API, multi-threaded) and {@code cuda}; see {@link Backends}. One {@code Ops} instance is meant to
 * be driven by one thread at a time (it may use more threads internally).
 */
public interface Ops extends AutoCloseable {

    /**
     * The backend's name: "reference", "cpu" or "cuda".
     *
     * @return the name {@link Backends} knows this backend by
     */
    String name();

    /**
     * A new zero-filled tensor in memory this backend computes on, owned by {@code arena}.
     *
     * @param arena owns the memory (device memory is freed when the arena closes)
     * @param dtype the element type
     * @param shape the sizes of the dimensions, outermost first
     * @return the new tensor, on this backend's device
     */
    default Tensor allocate(Arena arena, DType dtype, long... shape) {
        return Tensor.allocate(arena, dtype, shape);
    }

    /**
     * Makes a host tensor (typically a weight in a memory-mapped file) usable by this backend.
     * Host backends return it unchanged, without copying; device backends copy it once into device
     * memory owned by {@code arena}.
     *
     * @param arena owns the device copy, if one is made
     * @param host the host tensor to make available
     * @return a tensor this backend's methods accept, with the same dtype, shape and values
     */
    default Tensor upload(Arena arena, Tensor host) {
        return host;
    }

    /**
     * Copies {@code src} into {@code dst} (equal shapes), converting between F32, F16 and BF16.
     * Either side may be host memory or this backend's memory, so this also moves results back.
     *
     * @param src the tensor to read
     * @param dst the tensor written, of the same shape
     */
    void copy(Tensor src, Tensor dst);

    /**
     * Copies {@code src} into rows {@code firstRow ... firstRow + src.size(0) - 1} of {@code dst} (the other
     * dimensions equal), converting as {@link #copy} does: {@code copy(src, dst.rows(firstRow, src.size(0)))}.
     * A backend may write there without making that view: a decode step stores each layer's new key and value
     * rows into its cache this way, so that a decoded token allocates nothing.
     *
     * @param src      the rows to read
     * @param dst      the tensor written, its rows shaped as {@code src}'s
     * @param firstRow the first row of {@code dst} written
     */
    default void copyRows(Tensor src, Tensor dst, long firstRow) {
        copy(src, dst.rows(firstRow, src.size(0)));
    }

    /**
     * Matrix multiplication with a weight: {@code out[m, n] = sum_k x[m, k] * w[n, k]}, i.e.
     * {@code out = x · wᵀ} as ggml's {@code mul_mat}.
     *
     * @param x   F32 activations {@code [M, K]}
     * @param w   weights {@code [N, K]} of any supported dtype (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0,
     *            Q5_1, Q2_K ... Q6_K, MXFP4), read in place
     * @param out F32 {@code [M, N]}
     */
    void matmul(Tensor x, Tensor w, Tensor out);

    /**
     * {@code count} independent matrix multiplications, {@code out[i] = x[i] · w[i]ᵀ} as {@link #matmul} computes
     * each, in one call: a backend may run them as one parallel loop (a decode step's active experts, each too
     * small to be worth a hand-off of its own), with the same results as {@code count} calls of {@link #matmul}.
     * The products must not write what another of them reads.
     *
     * @param x     per product, F32 activations {@code [M, K]} (one tensor may serve several products)
     * @param w     per product, weights {@code [N, K]}
     * @param out   per product, F32 {@code [M, N]}
     * @param count the products, the first {@code count} entries of the arrays
     */
    default void matmuls(Tensor[] x, Tensor[] w, Tensor[] out, int count) {
        for (int i = 0; i < count; i++) {
            matmul(x[i], w[i], out[i]);
        }
    }

    /**
     * Adds a low-rank change to a projection's output: {@code out += (x · aᵀ) · bᵀ}, a LoRA adapter's
     * {@code x · (b a)ᵀ} with its scale already in {@code b}. The default is two {@link #matmul}s and an
     * {@link #add} through {@code low} and {@code delta}; a backend may fuse them (the {@code cpu} backend does
     * for decode steps, where the three calls cost more than their few multiply-adds).
     *
     * @param x     F32 activations {@code [M, K]}
     * @param a     {@code [R, K]}, F32, F16 or BF16 (any dtype {@link #matmul} takes)
     * @param b     F32 {@code [N, R]}
     * @param low   F32 {@code [M, R]} work space, left holding {@code x · aᵀ}
     * @param delta F32 {@code [M, N]} work space, its contents afterwards unspecified
     * @param out   F32 {@code [M, N]}, added to; overlaps none of the others
     */
    default void addLowRank(Tensor x, Tensor a, Tensor b, Tensor low, Tensor delta, Tensor out) {
        matmul(x, a, low);
        matmul(low, b, delta);
        add(out, delta, out);
    }

    /**
     * One matrix multiplication per head, in one call: {@code out[m, h, n] = sum_k x[m, h, k] * w[h, n, k]},
     * i.e. {@code out[:, h, :] = x[:, h, :] · w[h]ᵀ} for every head {@code h} (ggml's {@code mul_mat}
     * with a batch dimension). DeepSeek's absorbed attention has two such products per layer, each
     * too small to pay a dispatch of its own per head.
     *
     * @param x   F32 activations {@code [M, H, K]}; the last dimension contiguous, the others may be strided
     * @param w   weights {@code [H, N, K]} of a dtype {@link #matmul} takes, rows contiguous, heads may be strided
     * @param out F32 {@code [M, H, N]}; the last dimension contiguous, the others may be strided
     */
    void headMatmul(Tensor x, Tensor w, Tensor out);

    /**
     * Embedding lookup: {@code out[t, :] = table[ids[t], :]}, dequantized to F32.
     *
     * @param table {@code [V, D]} of any supported dtype
     * @param ids   row indices, each in {@code [0, V)}
     * @param out   F32 {@code [ids.length, D]}
     */
    void embed(Tensor table, int[] ids, Tensor out);

    /**
     * RMSNorm per row: {@code out = x / sqrt(mean(x²) + eps) * weight}.
     *
     * @param x      F32 {@code [M, D]}
     * @param weight F32 {@code [D]}, the learned gain
     * @param eps    added to the mean square before the square root, so that a zero row gives no NaN
     * @param out    F32 {@code [M, D]}; may be {@code x}
     */
    void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out);

    /**
     * LayerNorm per row: {@code out = (x - mean) / sqrt(var + eps) * weight + bias}; {@code weight}
     * and {@code bias} are F32 {@code [D]} and may be null (treated as ones and zeros).
     *
     * @param x      F32 {@code [M, D]}
     * @param weight F32 {@code [D]} or null
     * @param bias   F32 {@code [D]} or null
     * @param eps    added to the variance before the square root
     * @param out    F32 {@code [M, D]}; may be {@code x}
     */
    void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out);

    /**
     * Numerically stable softmax along the last dimension of each row: the row's maximum is subtracted
     * before exponentiating, so large logits do not overflow.
     *
     * @param x   F32 {@code [M, N]}
     * @param out F32 {@code [M, N]}; each row sums to 1; may be {@code x}
     */
    void softmax(Tensor x, Tensor out);

    /**
     * Rotary position embedding of {@code x [T, H, D]} for the positions
     * {@code startPos ... startPos + T - 1}, rotating the first {@code rope.dims()} entries of every head.
     *
     * @param x        F32 {@code [T, H, D]}: T tokens, H heads of D entries
     * @param startPos the position of the first token
     * @param rope     the rotation's dimensions, frequencies and pairing convention
     * @param out      F32 {@code [T, H, D]}; may be {@code x}; entries past {@code rope.dims()} are copied
     */
    void rope(Tensor x, int startPos, Rope rope, Tensor out);

    /**
     * SiLU (swish), element-wise: {@code out = x * sigmoid(x)}.
     *
     * @param x   F32, any shape
     * @param out F32, the shape of {@code x}; may be {@code x}
     */
    void silu(Tensor x, Tensor out);

    /**
     * GELU, element-wise, exact ({@code erf}) or with the tanh approximation.
     *
     * @param x             F32, any shape
     * @param approximation which formula, as the model was trained with
     * @param out           F32, the shape of {@code x}; may be {@code x}
     */
    void gelu(Tensor x, Gelu approximation, Tensor out);

    /**
     * SwiGLU's gate, element-wise: {@code out = silu(gate) * up}.
     *
     * @param gate F32 {@code [M, F]}, the gate projection
     * @param up   F32 {@code [M, F]}, the up projection
     * @param out  F32 {@code [M, F]}; may be {@code gate} or {@code up}
     */
    void swiglu(Tensor gate, Tensor up, Tensor out);

    /**
     * GeGLU's gate: {@code out = gelu(gate) * up}, element-wise; Gemma uses {@link Gelu#TANH}
     * ({@code gelu_pytorch_tanh}).
     *
     * @param gate          F32 {@code [M, F]}, the gate projection
     * @param up            F32 {@code [M, F]}, the up projection
     * @param approximation the GELU formula
     * @param out           F32 {@code [M, F]}; may be {@code gate} or {@code up}
     */
    void geglu(Tensor gate, Tensor up, Gelu approximation, Tensor out);

    /**
     * gpt-oss's clamped SwiGLU (HF {@code GptOssExperts}, llama.cpp {@code swiglu_oai}), element-wise:
     * <pre>
     *   g = min(gate, limit);  u = clamp(up, -limit, limit);  out = (u + 1) * g * sigmoid(alpha * g)
     * </pre>
     * gpt-oss uses {@code alpha = 1.702}, {@code limit = 7}.
     *
     * @param gate  F32, any shape
     * @param up    F32, the shape of {@code gate}
     * @param alpha the slope inside the sigmoid
     * @param limit positive and finite: {@code gate} is clamped above, {@code up} on both sides
     * @param out   F32, the shape of {@code gate}; may be {@code gate} or {@code up}
     */
    void clampedSwiglu(Tensor gate, Tensor up, float alpha, float limit, Tensor out);

    /**
     * Soft-capping: {@code out = cap * tanh(x / cap)}, squashing {@code x} smoothly into {@code (-cap, cap)}
     * (Gemma 2's {@code final_logit_softcapping}).
     *
     * @param x   F32, any shape
     * @param cap positive and finite
     * @param out F32, the shape of {@code x}; may be {@code x}
     */
    void softcap(Tensor x, float cap, Tensor out);

    /**
     * {@code out = a + b}; {@code b} has the shape of {@code a} or of one row of it (a bias, broadcast over rows).
     *
     * @param a   F32 {@code [M, N]} (or any shape)
     * @param b   F32, the shape of {@code a} or {@code [N]}
     * @param out F32, the shape of {@code a}; may be {@code a} or {@code b}
     */
    void add(Tensor a, Tensor b, Tensor out);

    /**
     * {@code out = a * b}, element-wise; {@code b} has the shape of {@code a} or of one row of it.
     *
     * @param a   F32 {@code [M, N]} (or any shape)
     * @param b   F32, the shape of {@code a} or {@code [N]}
     * @param out F32, the shape of {@code a}; may be {@code a} or {@code b}
     */
    void mul(Tensor a, Tensor b, Tensor out);

    /**
     * Scaling by a constant: {@code out = x * s}.
     *
     * @param x   F32, any shape
     * @param s   the factor
     * @param out F32, the shape of {@code x}; may be {@code x}
     */
    void scale(Tensor x, float s, Tensor out);

    /**
     * Causal grouped-query attention over a KV cache: {@link #attention(Tensor, Tensor, Tensor, int, float,
     * Attention, Tensor)} with {@link Attention#CAUSAL}.
     *
     * @param q        F32 {@code [T, Hq, D]}
     * @param kCache   F32 or F16 {@code [S, Hkv, D]}, written up to position {@code startPos + T - 1}
     * @param vCache   same shape and dtype as {@code kCache}
     * @param startPos the position of {@code q}'s first row
     * @param scale    the factor of every dot product, usually {@code 1/sqrt(D)}
     * @param out      F32 {@code [T, Hq, D]}
     */
    default void attention(Tensor q, Tensor kCache, Tensor vCache, int startPos, float scale, Tensor out) {
        attention(q, kCache, vCache, startPos, scale, Attention.CAUSAL, out);
    }

    /**
     * Grouped-query attention over a KV cache, causal (optionally windowed, soft-capped or with sinks) or
     * bidirectional.
     *
     * <p>Query {@code t} sits at position {@code p = startPos + t} and attends to the cached positions
     * {@code j = options.firstVisible(p) ... p} (all of {@code 0 ... p} without a window; with
     * {@link Attention#bidirectional()}, all of {@code 0 ... startPos + T - 1}, written before the call):
     * {@code out[t, h] = sum_j w_j v[j, g]} with {@code w = softmax_j(s_j)} over the scores
     * {@code s_j = scale * q[t, h] · k[j, g]} (soft-capped if asked; with a sink, {@code e^(sinks[h])} joins the
     * denominator), where {@code g = h / (Hq / Hkv)} is the KV head shared by a group of query heads. See
     * {@link Attention} for the exact conventions. A window makes the work proportional to the window, not to
     * {@code p}, on the CPU backends.
     *
     * @param q       F32 {@code [T, Hq, D]}
     * @param kCache  F32 or F16 {@code [S, Hkv, D]}, written up to position {@code startPos + T - 1}; S is the capacity
     * @param vCache  same shape and dtype as {@code kCache}
     * @param startPos the position of the first query row; {@code q}'s row {@code t} sits at {@code startPos + t}
     * @param scale   the factor of every dot product ({@code 1/sqrt(D)}, Gemma's {@code query_pre_attn_scalar^-1/2},
     *                Granite's {@code attention_multiplier})
     * @param options window, soft cap, sinks, bidirectional; {@link Attention#CAUSAL} for none. A backend that lacks one
     *                throws {@link UnsupportedOperationException} naming it.
     * @param out     F32 {@code [T, Hq, D]}
     */
    void attention(Tensor q, Tensor kCache, Tensor vCache, int startPos, float scale, Attention options, Tensor out);

    /**
     * Index of the largest entry of each row of {@code x [M, N]} (the first, on ties) into {@code out[M]}.
     *
     * @param x   F32 {@code [M, N]}
     * @param out receives one column index per row; at least {@code M} long
     */
    void argmax(Tensor x, int[] out);

    /** Releases the backend's threads and device resources. Tensors it allocated belong to their arenas. */
    @Override
    default void close() {
    }
}
