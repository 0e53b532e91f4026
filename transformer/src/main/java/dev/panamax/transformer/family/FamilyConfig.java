package dev.panamax.transformer.family;

import dev.panamax.tensor.DType;
import dev.panamax.transformer.KvCache;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.Decoder;
import java.util.List;

/**
 * A family's reading of one model file: the common hyper-parameters, whatever else the family
 * needs (a record of its own, e.g. {@code Qwen2Moe.Config}), and how to put the layers together.
 */
public interface FamilyConfig {
    /**
     * The family's name, as {@link ModelFamily#name()}: by default that of the family whose GGUF or
     * Hugging Face names include {@code common().architecture()}.
     */
    default String familyName() {
        return Families.of(common().architecture()).map(ModelFamily::name).orElse(common().architecture());
    }

    /** The hyper-parameters every family has. */
    ModelConfig common();

    /** What this model uses, in words, for {@code panamax inspect} (e.g. "per-head Q/K RMSNorm"). */
    List<String> features();

    /**
     * Builds the layers, loading every weight through {@code context.weights()}.
     *
     * @param config {@link #common()}, with the context length actually allocated
     * @throws dev.panamax.formats.FormatException for missing or misshapen tensors (naming them)
     */
    Decoder build(ModelConfig config, BuildContext context);

    /**
     * True when the attention reads its values from the key cache (DeepSeek's latent cache of
     * {@code kv_lora_rank + rope} entries per position): the cache then holds one tensor per layer.
     */
    default boolean valuesAreKeys() {
        return false;
    }

    /**
     * The positions layer {@code layer}'s attention sees, itself included, or 0 for all: a layer with a
     * window keeps only {@code W - 1} positions besides a step's own in the KV cache. Must agree with the
     * attention {@link #build} makes for the layer (a windowed cache under a full attention fails once the
     * positions pass its rows).
     */
    default int slidingWindow(int layer) {
        return 0;
    }

    /**
     * True for an encoder (BERT): its attention sees the whole text both ways, so a text runs as one batch from
     * position 0 (the scratch holds the whole context), and it has no output head (embeddings only).
     */
    default boolean encoder() {
        return false;
    }

    /**
     * Bytes of the KV cache of one sequence of this model at context {@code context} in {@code dtype}, when a
     * forward step runs at most {@code step} rows ({@link dev.panamax.transformer.LoadOptions#maxBatch()}):
     * sliding-window layers hold {@code min(context, W - 1 + step)} positions, the others {@code context}
     * ({@link KvCache}).
     *
     * @param context positions of the sequence
     * @param dtype   the cache's element type, F32 or F16
     * @param step    the most rows one forward step runs
     * @param window  false: as if every layer held the whole context (what a cache without window layers would take)
     * @return the bytes, or {@link Long#MAX_VALUE} past it
     */
    default long kvCacheBytes(int context, DType dtype, int step, boolean window) {
        ModelConfig c = common().withContextLength(context);
        int[] rows = new int[c.layers()];
        for (int l = 0; l < rows.length; l++) {
            rows[l] = KvCache.rows(c, window ? slidingWindow(l) : 0, Math.min(step, context));
        }
        return KvCache.bytes(c, dtype, valuesAreKeys(), rows);
    }
}
