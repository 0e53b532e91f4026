package dev.panamax.transformer;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;

/**
 * One decoder block of a Llama-family model, step by step. For the {@code n} tokens of a batch at
 * positions {@code pos ... pos + n - 1} (rows of the residual stream {@code x [n, dim]}):
 *
 * <pre>
 *   x = x + Attention(RMSNorm(x))
 *   x = x + FeedForward(RMSNorm(x))
 * </pre>
 *
 * Every step is one backend call on whole matrices, so the same code runs on the reference, CPU
 * and CUDA backends, for a prompt (n tokens) as for decoding (n = 1).
 */
public final class TransformerBlock {
    private final Ops ops;
    private final ModelConfig config;
    private final LayerWeights w;
    private final int layer;
    private final Rope rope;
    private final MixtureOfExperts moe;

    TransformerBlock(Ops ops, ModelConfig config, LayerWeights weights, int layer, Rope rope, int maxBatch) {
        this.ops = ops;
        this.config = config;
        this.w = weights;
        this.layer = layer;
        this.rope = rope;
        this.moe = config.isMoe() ? new MixtureOfExperts(ops, config, maxBatch) : null;
    }

    /** Runs the block on the batch {@code b} (tokens at positions {@code pos...}), updating {@code b.x} in place. */
    void forward(Activations a, Activations.Batch b, KvCache cache, int pos) {
        attention(b, cache, pos);
        feedForward(a, b);
    }

    private void attention(Activations.Batch b, KvCache cache, int pos) {
        // 1. normalize: xb = x / sqrt(mean(x²) + eps) * g_attn
        ops.rmsNorm(b.x, w.attentionNorm(), config.rmsEps(), b.xb);

        // 2. project: q = xb·Wqᵀ + bq,  k = xb·Wkᵀ + bk,  v = xb·Wvᵀ + bv   (biases: Qwen2 only)
        ops.matmul(b.xb, w.wq(), b.q);
        ops.matmul(b.xb, w.wk(), b.k);
        ops.matmul(b.xb, w.wv(), b.v);
        if (w.bq() != null) {
            ops.add(b.q, w.bq(), b.q);
            ops.add(b.k, w.bk(), b.k);
            ops.add(b.v, w.bv(), b.v);
        }

        // 3. rotate q and k by their positions: each pair (a, b) of a head at position p turns by p·θ_i
        ops.rope(b.q3, pos, rope, b.q3);
        ops.rope(b.k3, pos, rope, b.k3);

        // 4. remember k and v at positions pos .. pos+n-1 (converted to the cache's dtype)
        ops.copy(b.k3, cache.keys(layer).rows(pos, b.n));
        ops.copy(b.v3, cache.values(layer).rows(pos, b.n));

        // 5. attend: out[t,h] = Σ_j softmax_j(q[t,h]·k[j,g] / sqrt(D)) v[j,g], j ≤ pos+t, g = h / (heads/kvHeads)
        ops.attention(b.q3, cache.keys(layer), cache.values(layer), pos, config.attentionScale(), b.attention3);

        // 6. mix the heads: delta = attention·Woᵀ;  7. residual: x = x + delta
        ops.matmul(b.attention, w.wo(), b.delta);
        ops.add(b.x, b.delta, b.x);
    }

    private void feedForward(Activations a, Activations.Batch b) {
        // 8. normalize: xb = RMSNorm(x) * g_ffn
        ops.rmsNorm(b.x, w.ffnNorm(), config.rmsEps(), b.xb);

        // 9. SwiGLU: delta = (silu(xb·Wgateᵀ) * (xb·Wupᵀ)) · Wdownᵀ, or the mixture of experts
        if (moe != null) {
            moe.forward(w, a, b);
        } else {
            ops.matmul(b.xb, w.gate(), b.gate);
            ops.matmul(b.xb, w.up(), b.up);
            ops.swiglu(b.gate, b.up, b.gate);
            ops.matmul(b.gate, w.down(), b.delta);
        }

        // 10. residual: x = x + delta
        ops.add(b.x, b.delta, b.x);
    }
}
