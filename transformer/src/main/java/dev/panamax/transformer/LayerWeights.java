package dev.panamax.transformer;

import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * The weights of one transformer block, as the backend holds them. Matrices are {@code [out, in]}
 * ({@code y = x · Wᵀ}); norms and biases are F32 vectors.
 *
 * @param attentionNorm RMSNorm gain before attention {@code [dim]}
 * @param wq            query projection {@code [heads * headDim, dim]}
 * @param wk            key projection {@code [kvHeads * headDim, dim]}
 * @param wv            value projection {@code [kvHeads * headDim, dim]}
 * @param wo            output projection {@code [dim, heads * headDim]}
 * @param bq            query bias or null
 * @param bk            key bias or null
 * @param bv            value bias or null
 * @param ffnNorm       RMSNorm gain before the feed-forward {@code [dim]}
 * @param gate          SwiGLU gate {@code [ffnDim, dim]}, null for a mixture of experts
 * @param up            SwiGLU up {@code [ffnDim, dim]}, null for a mixture of experts
 * @param down          SwiGLU down {@code [dim, ffnDim]}, null for a mixture of experts
 * @param router        expert router {@code [experts, dim]}, null for a dense model
 * @param experts       the experts, empty for a dense model
 */
public record LayerWeights(Tensor attentionNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo,
                           Tensor bq, Tensor bk, Tensor bv,
                           Tensor ffnNorm, Tensor gate, Tensor up, Tensor down,
                           Tensor router, List<ExpertWeights> experts) {
    public LayerWeights {
        experts = List.copyOf(experts);
    }
}
