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

    /**
     * Options without LoRA adapters.
     *
     * @param maxBatch      prompt tokens per forward step
     * @param cacheType     F16 or F32
     * @param contextLength positions of the KV cache; 0 for the model's own context, capped
     */
    public LoadOptions(int maxBatch, DType cacheType, int contextLength) {
        this(maxBatch, cacheType, contextLength, AdapterSet.NONE);
    }

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException if {@code adapters} is null, {@code maxBatch} is not positive,
     *         {@code contextLength} is negative, or {@code cacheType} is neither F32 nor F16
     */
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

    /**
     * These options with another KV cache type.
     *
     * @param type F16 or F32
     * @return the new options
     */
    public LoadOptions withCacheType(DType type) {
        return new LoadOptions(maxBatch, type, contextLength, adapters);
    }

    /**
     * These options with another context length.
     *
     * @param length positions of the KV cache; 0 for the model's own context, capped
     * @return the new options
     */
    public LoadOptions withContextLength(int length) {
        return new LoadOptions(maxBatch, cacheType, length, adapters);
    }

    /**
     * These options with another prompt batch size.
     *
     * @param batch prompt tokens per forward step
     * @return the new options
     */
    public LoadOptions withMaxBatch(int batch) {
        return new LoadOptions(batch, cacheType, contextLength, adapters);
    }

    /**
     * These options with {@code adapters} instead of the current ones.
     *
     * @param adapters the adapters, {@link AdapterSet#NONE} for none
     * @return the new options
     */
    public LoadOptions withAdapters(AdapterSet adapters) {
        return new LoadOptions(maxBatch, cacheType, contextLength, adapters);
    }

    /**
     * These options with one more LoRA adapter at {@code scale} (1 = as trained).
     *
     * @param adapter the adapter, read from its file
     * @param scale   its strength: 1 as trained, 0 off, negative to subtract it
     * @return the new options
     */
    public LoadOptions withAdapter(LoraAdapter adapter, float scale) {
        return withAdapters(adapters.with(adapter, scale));
    }

    /** The context to allocate for a model whose own context is {@code modelContext}. */
    int contextFor(int modelContext) {
        return contextLength > 0 ? contextLength : Math.min(modelContext, DEFAULT_CONTEXT_CAP);
    }
}
