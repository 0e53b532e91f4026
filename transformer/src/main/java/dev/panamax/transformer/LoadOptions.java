package dev.panamax.transformer;

import dev.panamax.tensor.DType;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;

/**
 * How to set a model up for inference.
 *
 * @param maxBatch       prompt tokens per forward step (scratch memory grows with it)
 * @param cacheType      KV cache entries: F16 (half the memory, as llama.cpp) or F32 (exact)
 * @param contextLength  positions to allocate the KV cache for; 0 = the model's own context, capped
 *                       at {@link #DEFAULT_CONTEXT_CAP} so that a 128K-context model does not claim
 *                       gigabytes up front
 * @param adapters       LoRA adapters applied at run time to this model's projections (none by default)
 */
public record LoadOptions(int maxBatch, DType cacheType, int contextLength, AdapterSet adapters) {
    /** The largest context allocated when none is asked for. */
    public static final int DEFAULT_CONTEXT_CAP = 4096;

    public LoadOptions(int maxBatch, DType cacheType, int contextLength) {
        this(maxBatch, cacheType, contextLength, AdapterSet.NONE);
    }

    public LoadOptions {
        if (adapters == null) {
            throw new IllegalArgumentException("adapters must not be null; use AdapterSet.NONE");
        }
        if (maxBatch <= 0 || contextLength < 0) {
            throw new IllegalArgumentException("maxBatch must be positive and contextLength non-negative: " + maxBatch + ", " + contextLength);
        }
        if (cacheType != DType.F32 && cacheType != DType.F16) {
            throw new IllegalArgumentException("the KV cache holds F32 or F16, not " + cacheType);
        }
    }

    /** {@return batches of 64 tokens, an F16 cache, the model's context (capped)} */
    public static LoadOptions defaults() {
        return new LoadOptions(64, DType.F16, 0);
    }

    public LoadOptions withCacheType(DType type) {
        return new LoadOptions(maxBatch, type, contextLength, adapters);
    }

    public LoadOptions withContextLength(int length) {
        return new LoadOptions(maxBatch, cacheType, length, adapters);
    }

    public LoadOptions withMaxBatch(int batch) {
        return new LoadOptions(batch, cacheType, contextLength, adapters);
    }

    /** These options with {@code adapters} instead of the current ones. */
    public LoadOptions withAdapters(AdapterSet adapters) {
        return new LoadOptions(maxBatch, cacheType, contextLength, adapters);
    }

    /** These options with one more LoRA adapter at {@code scale} (1 = as trained). */
    public LoadOptions withAdapter(LoraAdapter adapter, float scale) {
        return withAdapters(adapters.with(adapter, scale));
    }

    /** The context to allocate for a model whose own context is {@code modelContext}. */
    int contextFor(int modelContext) {
        return contextLength > 0 ? contextLength : Math.min(modelContext, DEFAULT_CONTEXT_CAP);
    }
}
