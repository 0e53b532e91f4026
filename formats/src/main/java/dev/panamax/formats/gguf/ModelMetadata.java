package dev.panamax.formats.gguf;

import dev.panamax.formats.FormatException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The typed view of a GGUF file's metadata that a transformer needs: hyperparameters read from
 * the {@code <arch>.*} keys (e.g. {@code llama.embedding_length}) and the tokenizer from the
 * {@code tokenizer.ggml.*} keys. Required values throw {@link FormatException} naming the key when
 * absent; optional ones return empty or the documented default.
 */
public final class ModelMetadata {
    /** llama.cpp's default RoPE base when {@code <arch>.rope.freq_base} is absent. */
    public static final float DEFAULT_ROPE_FREQ_BASE = 10000f;

    private final GgufMetadata md;
    private final String arch;

    /**
     * Typed access to {@code metadata}, whose keys are read under {@code general.architecture}'s prefix.
     *
     * @param metadata a GGUF file's metadata
     * @throws FormatException if {@code general.architecture} is missing or not a string
     */
    public ModelMetadata(GgufMetadata metadata) {
        this.md = metadata;
        this.arch = metadata.getString("general.architecture");
    }

    /** {@return the underlying metadata} */
    public GgufMetadata metadata() {
        return md;
    }

    /** {@return {@code general.architecture}, e.g. "llama"} */
    public String architecture() {
        return arch;
    }

    /** {@return {@code general.name}} */
    public Optional<String> name() {
        return md.findString("general.name");
    }

    /** {@return {@code <arch>.context_length}: the context the model was trained for} */
    public int contextLength() {
        return md.getInt(key("context_length"));
    }

    /** {@return {@code <arch>.embedding_length}: the model dimension} */
    public int embeddingLength() {
        return md.getInt(key("embedding_length"));
    }

    /** {@return {@code <arch>.block_count}: the number of transformer layers} */
    public int blockCount() {
        return md.getInt(key("block_count"));
    }

    /** {@return {@code <arch>.feed_forward_length}: the hidden size of the MLP} */
    public int feedForwardLength() {
        return md.getInt(key("feed_forward_length"));
    }

    /** {@return {@code <arch>.attention.head_count}} */
    public int headCount() {
        return md.getInt(key("attention.head_count"));
    }

    /**
     * {@return {@code <arch>.attention.head_count_kv}; defaults to {@link #headCount()} (no grouped-query
     * attention)}
     */
    public int headCountKv() {
        String k = key("attention.head_count_kv");
        return md.contains(k) ? md.getInt(k) : headCount();
    }

    /** {@return {@code <arch>.rope.dimension_count}; defaults to the head dimension (embedding length / head count)} */
    public int ropeDimensionCount() {
        String k = key("rope.dimension_count");
        if (md.contains(k)) {
            return md.getInt(k);
        }
        int heads = headCount();
        if (heads <= 0) {
            throw new FormatException(md.file(), GgufMetadata.field(key("attention.head_count")), heads, "head count must be positive");
        }
        return embeddingLength() / heads;
    }

    /**
     * {@return {@code <arch>.attention.key_length}: the per-head size of keys and queries, for models where it
     * differs from embedding length / head count}
     */
    public OptionalInt keyLength() {
        return optionalInt(key("attention.key_length"));
    }

    /** {@return {@code <arch>.attention.value_length}: the per-head size of values, when stored} */
    public OptionalInt valueLength() {
        return optionalInt(key("attention.value_length"));
    }

    /** {@return {@code <arch>.rope.freq_base}, default {@value #DEFAULT_ROPE_FREQ_BASE}} */
    public float ropeFreqBase() {
        String k = key("rope.freq_base");
        return md.findFloat(k).map(v -> above(k, v, 1, "RoPE's frequency base must be finite and greater than 1"))
                .orElse(DEFAULT_ROPE_FREQ_BASE);
    }

    /**
     * {@return {@code <arch>.rope.scaling.type} ("none", "linear", "yarn", ...); for old files that only store
     * {@code <arch>.rope.scale_linear}, "linear"}
     */
    public Optional<String> ropeScalingType() {
        Optional<String> t = md.findString(key("rope.scaling.type"));
        if (t.isPresent()) {
            return t;
        }
        return md.contains(key("rope.scale_linear")) ? Optional.of("linear") : Optional.empty();
    }

    /** {@return {@code <arch>.rope.scaling.factor}, else the old {@code <arch>.rope.scale_linear}} */
    public Optional<Float> ropeScalingFactor() {
        String k = md.contains(key("rope.scaling.factor")) ? key("rope.scaling.factor") : key("rope.scale_linear");
        return md.findFloat(k).map(v -> above(k, v, 0, "a RoPE scaling factor must be finite and positive"));
    }

    /** {@return {@code <arch>.rope.scaling.original_context_length}} */
    public OptionalInt ropeScalingOriginalContextLength() {
        return optionalInt(key("rope.scaling.original_context_length"));
    }

    /** {@return {@code <arch>.attention.layer_norm_rms_epsilon}: the RMSNorm epsilon} */
    public float rmsNormEpsilon() {
        String k = key("attention.layer_norm_rms_epsilon");
        return epsilon(k, md.getFloat(k));
    }

    /**
     * {@return {@code <arch>.attention.layer_norm_epsilon}: the LayerNorm epsilon of architectures that use
     * LayerNorm}
     */
    public Optional<Float> layerNormEpsilon() {
        String k = key("attention.layer_norm_epsilon");
        return md.findFloat(k).map(v -> epsilon(k, v));
    }

    /** {@return {@code <arch>.expert_count}, 0 for dense models} */
    public int expertCount() {
        return optionalInt(key("expert_count")).orElse(0);
    }

    /** {@return {@code <arch>.expert_used_count}, 0 for dense models} */
    public int expertUsedCount() {
        return optionalInt(key("expert_used_count")).orElse(0);
    }

    /** {@return {@code <arch>.vocab_size}, else the length of {@code tokenizer.ggml.tokens}} */
    public int vocabSize() {
        OptionalInt v = optionalInt(key("vocab_size"));
        return v.isPresent() ? v.getAsInt() : md.getArray("tokenizer.ggml.tokens").size();
    }

    /** {@return {@code general.file_type} (llama.cpp's llama_ftype: 0 all F32, 1 mostly F16, 2 mostly Q4_0 ...)} */
    public OptionalInt fileType() {
        return optionalInt("general.file_type");
    }

    // ---------------------------------------------------------------- tokenizer

    /**
     * {@return {@code tokenizer.ggml.model}: "llama" (SentencePiece), "gpt2" (byte-level BPE), "bert" (WordPiece)
     * ..}
     */
    public String tokenizerModel() {
        return md.getString("tokenizer.ggml.model");
    }

    /**
     * {@return {@code tokenizer.ggml.pre}: the pre-tokenizer name of BPE vocabularies ("default", "llama-bpe",
     * ...)}
     */
    public Optional<String> tokenizerPre() {
        return md.findString("tokenizer.ggml.pre");
    }

    /** {@return {@code tokenizer.ggml.tokens}: the vocabulary, indexed by token id} */
    public List<String> tokens() {
        return md.getStringArray("tokenizer.ggml.tokens");
    }

    /** {@return {@code tokenizer.ggml.scores}: SentencePiece scores, one per token} */
    public Optional<float[]> scores() {
        return md.contains("tokenizer.ggml.scores") ? Optional.of(md.getFloatArray("tokenizer.ggml.scores")) : Optional.empty();
    }

    /**
     * {@return {@code tokenizer.ggml.token_type}: llama.cpp token types (1 normal, 2 unknown, 3 control, 4
     * user-defined, 5 unused, 6 byte)}
     */
    public Optional<int[]> tokenTypes() {
        return md.contains("tokenizer.ggml.token_type") ? Optional.of(md.getIntArray("tokenizer.ggml.token_type")) : Optional.empty();
    }

    /** {@return {@code tokenizer.ggml.merges}: BPE merges as "left right"} */
    public Optional<List<String>> merges() {
        return md.contains("tokenizer.ggml.merges") ? Optional.of(md.getStringArray("tokenizer.ggml.merges")) : Optional.empty();
    }

    /** {@return {@code tokenizer.ggml.bos_token_id} (empty also when stored as -1 / 0xFFFFFFFF, "none")} */
    public OptionalInt bosTokenId() {
        return tokenId("tokenizer.ggml.bos_token_id");
    }

    /** {@return {@code tokenizer.ggml.eos_token_id}} */
    public OptionalInt eosTokenId() {
        return tokenId("tokenizer.ggml.eos_token_id");
    }

    /** {@return {@code tokenizer.ggml.padding_token_id}} */
    public OptionalInt padTokenId() {
        return tokenId("tokenizer.ggml.padding_token_id");
    }

    /** {@return {@code tokenizer.ggml.unknown_token_id}} */
    public OptionalInt unknownTokenId() {
        return tokenId("tokenizer.ggml.unknown_token_id");
    }

    /** {@return {@code tokenizer.ggml.add_bos_token}} */
    public Optional<Boolean> addBosToken() {
        return md.findBoolean("tokenizer.ggml.add_bos_token");
    }

    /** {@return {@code tokenizer.ggml.add_eos_token}} */
    public Optional<Boolean> addEosToken() {
        return md.findBoolean("tokenizer.ggml.add_eos_token");
    }

    /** {@return {@code tokenizer.chat_template}: the Jinja chat template} */
    public Optional<String> chatTemplate() {
        return md.findString("tokenizer.chat_template");
    }

    private String key(String suffix) {
        return arch + "." + suffix;
    }

    /**
     * A token id; llama.cpp writes "no such token" as -1, which converters store as INT32 -1 or
     * UINT32 0xFFFFFFFF: both read as absent.
     */
    private OptionalInt tokenId(String k) {
        if (!md.contains(k)) {
            return OptionalInt.empty();
        }
        long v = md.getLong(k);
        if (v == -1 || v == 0xFFFF_FFFFL) {
            return OptionalInt.empty();
        }
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new FormatException(md.file(), GgufMetadata.field(k), v, "not a token id");
        }
        return OptionalInt.of((int) v);
    }

    /** {@code value} if finite and above {@code min}, else a FormatException naming the key. */
    private float above(String k, float value, float min, String problem) {
        if (!(value > min) || Float.isInfinite(value)) {
            throw new FormatException(md.file(), GgufMetadata.field(k), value, problem);
        }
        return value;
    }

    /** A norm's epsilon: finite, in (0, 1); +Inf gave all-zero activations and a silent {@code <unk>} output. */
    private float epsilon(String k, float value) {
        if (!(value > 0 && value < 1)) {
            throw new FormatException(md.file(), GgufMetadata.field(k), value, "a norm epsilon must be in (0, 1)");
        }
        return value;
    }

    private OptionalInt optionalInt(String k) {
        return md.contains(k) ? OptionalInt.of(md.getInt(k)) : OptionalInt.empty();
    }

    @Override
    public String toString() {
        return "ModelMetadata[" + arch + "]";
    }
}
