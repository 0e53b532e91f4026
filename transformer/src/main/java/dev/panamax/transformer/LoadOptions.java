package dev.panamax.transformer;

import dev.panamax.tensor.DType;

/**
 * How to set a model up for inference.
 *
 * @param maxBatch       prompt tokens per forward step (scratch memory grows with it)
 * @param cacheType      KV cache entries: F16 (half the memory, as llama.cpp) or F32 (exact)
 * @param contextLength  positions to allocate the KV cache for; 0 = the model's own context, capped
 *                       at {@link #DEFAULT_CONTEXT_CAP} so that a 128K-context model does not claim
 *                       gigabytes up front
 */
public record LoadOptions(int maxBatch, DType cacheType, int contextLength) {
    /** The largest context allocated when none is asked for. */
    public static final int DEFAULT_CONTEXT_CAP = 4096;

    public LoadOptions {
        if (maxBatch <= 0 || contextLength < 0) {
            throw new IllegalArgumentException("maxBatch must be positive and contextLength non-negative: " + maxBatch + ", " + contextLength);
        }
        if (cacheType != DType.F32 && cacheType != DType.F16) {
            throw new IllegalArgumentException("the KV cache holds F32 or F16, not " + cacheType);
        }
    }

    /** Batches of 64 tokens, an F16 cache, the model's context (capped). */
    public static LoadOptions defaults() {
        return new LoadOptions(64, DType.F16, 0);
    }

    public LoadOptions withCacheType(DType type) {
        return new LoadOptions(maxBatch, type, contextLength);
    }

    public LoadOptions withContextLength(int length) {
        return new LoadOptions(maxBatch, cacheType, length);
    }

    public LoadOptions withMaxBatch(int batch) {
        return new LoadOptions(batch, cacheType, contextLength);
    }

    /** The context to allocate for a model whose own context is {@code modelContext}. */
    int contextFor(int modelContext) {
        return contextLength > 0 ? contextLength : Math.min(modelContext, DEFAULT_CONTEXT_CAP);
    }
}
