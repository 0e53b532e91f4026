package dev.panamax.transformer;

/**
 * The hyper-parameters every family shares: with the weights, everything a Llama-style forward pass
 * needs. Built from GGUF metadata ({@link GgufConfigReader}) or a Hugging Face {@code config.json}
 * ({@link HfConfigReader}) by the model's family, or directly in tests. What only one family has
 * (a shared expert's width, a soft-cap) lives in that family's own config record
 * ({@link dev.panamax.transformer.family.FamilyConfig}).
 *
 * @param architecture   the architecture as the file names it: "llama", "mistral", "mixtral", "qwen2", "qwen3"...
 * @param dim            embedding width (hidden size)
 * @param ffnDim         feed-forward width (per expert for mixture-of-experts models)
 * @param layers         transformer blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads; {@code heads} is a multiple (grouped-query attention)
 * @param headDim        entries per head (usually {@code dim / heads})
 * @param vocabSize      rows of the embedding table and of the output projection
 * @param contextLength  positions the KV cache holds
 * @param rmsEps         RMSNorm epsilon
 * @param rope           rotary position embedding
 * @param qkvBias        whether Q, K and V projections have biases (Qwen2)
 * @param tiedEmbeddings whether the output projection reuses the token embedding table
 * @param expertCount    feed-forward experts per layer, 0 for a dense model
 * @param expertsUsed    experts each token is routed to (top-k), 0 for a dense model
 */
public record ModelConfig(String architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                          int vocabSize, int contextLength, float rmsEps, RopeConfig rope, boolean qkvBias,
                          boolean tiedEmbeddings, int expertCount, int expertsUsed) {

    /**
     * Checks that the sizes are positive and consistent.
     *
     * @throws IllegalArgumentException naming the first field that is not
     */
    public ModelConfig {
        positive("dim", dim);
        positive("ffnDim", ffnDim);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        if (!(rmsEps > 0)) {
            throw new IllegalArgumentException("rmsEps must be positive, got " + rmsEps);
        }
        if (rope == null || rope.dims() > headDim) {
            throw new IllegalArgumentException("RoPE " + rope + " must rotate at most headDim = " + headDim + " entries");
        }
        if (expertCount < 0 || expertsUsed < 0 || expertsUsed > expertCount || (expertCount > 0) != (expertsUsed > 0)) {
            throw new IllegalArgumentException("experts used (" + expertsUsed + ") must be in 1.." + expertCount
                    + " for a mixture-of-experts model, or both 0");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** {@return width of all query heads together: {@code heads * headDim}} */
    public int qDim() {
        return heads * headDim;
    }

    /** {@return width of all key (or value) heads together: {@code kvHeads * headDim}} */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** {@return true for a mixture-of-experts feed-forward} */
    public boolean isMoe() {
        return expertCount > 0;
    }

    /** {@return the attention logit scale {@code 1 / sqrt(headDim)}} */
    public float attentionScale() {
        return (float) (1 / Math.sqrt(headDim));
    }

    /**
     * The same model with a shorter (or longer) KV cache, e.g. to save memory.
     *
     * @param newContextLength the positions of the KV cache
     * @return the new configuration
     */
    public ModelConfig withContextLength(int newContextLength) {
        return new ModelConfig(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, newContextLength,
                rmsEps, rope, qkvBias, tiedEmbeddings, expertCount, expertsUsed);
    }

    /**
     * The same model with {@code count} experts per layer, {@code used} per token (a family's own defaults).
     *
     * @param count the experts per layer
     * @param used  the experts each token is routed to
     * @return the new configuration
     */
    public ModelConfig withExperts(int count, int used) {
        return new ModelConfig(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength,
                rmsEps, rope, qkvBias, tiedEmbeddings, count, used);
    }

    /**
     * The same model with other RoPE settings.
     *
     * @param newRope the RoPE settings
     * @return the new configuration
     */
    public ModelConfig withRope(RopeConfig newRope) {
        return new ModelConfig(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength,
                rmsEps, newRope, qkvBias, tiedEmbeddings, expertCount, expertsUsed);
    }
}
