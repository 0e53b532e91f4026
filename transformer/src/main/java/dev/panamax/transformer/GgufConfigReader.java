package dev.panamax.transformer;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.ModelMetadata;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.family.Families;
import dev.panamax.transformer.family.ModelFamily;
import java.util.Optional;

/**
 * Reads a {@link ModelConfig} from a GGUF file's {@code <arch>.*} metadata (and its optional
 * {@code rope_freqs.weight} tensor, where llama.cpp stores Llama 3 RoPE scaling). Which keys mean
 * what beyond the common ones is the family's business ({@link ModelFamily#fromGguf}); this class
 * reads the keys every family shares.
 *
 * <p>RoPE layout: llama.cpp's converter permutes the Q and K rows of {@code llama} models so that
 * adjacent pairs rotate together ({@link Rope.Layout#INTERLEAVED}, ggml mode 0); {@code qwen2} and
 * later families keep Hugging Face's layout and rotate halves ({@link Rope.Layout#NEOX}, ggml mode 2).
 * Each family passes its layout to {@link #common}.
 */
public final class GgufConfigReader {
    private GgufConfigReader() {
    }

    /**
     * The common hyper-parameters of {@code file}, as its family reads them.
     *
     * @param file an open GGUF model
     * @return the model's configuration
     * @throws UnsupportedModelException for architectures or RoPE scalings this transformer does not implement
     * @throws FormatException           for missing or invalid metadata (naming file and key)
     */
    public static ModelConfig read(GgufFile file) {
        return Families.read(file).common();
    }


    /**
     * Reads the keys every family shares ({@code <arch>.embedding_length}, {@code .block_count},
     * {@code .attention.head_count}, {@code .attention.key_length}, {@code .rope.*} ...), with RoPE
     * pairs in {@code layout}. Q/K/V biases and a tied output are told by which tensors exist.
     *
     * @param file   an open GGUF model
     * @param layout the RoPE pairing the family uses
     * @return the configuration of the shared keys, which a family then refines
     */
    public static ModelConfig common(GgufFile file, Rope.Layout layout) {
        ModelMetadata m = file.model();
        String arch = m.architecture();
        int dim = m.embeddingLength();
        int heads = m.headCount();
        String keyLength = arch + ".attention.key_length";
        int headDim = file.metadata().contains(keyLength) ? file.metadata().getInt(keyLength) : dim / Math.max(1, heads);
        String valueLength = arch + ".attention.value_length";
        if (file.metadata().contains(valueLength) && file.metadata().getInt(valueLength) != headDim) {
            throw new UnsupportedModelException(file.path() + ": " + valueLength + " = " + file.metadata().getInt(valueLength)
                    + " differs from the key length " + headDim + " (supported: equal key and value heads)");
        }
        // llama.cpp rotates the whole head when rope.dimension_count is absent (n_rot = key length)
        int ropeDims = file.metadata().contains(arch + ".rope.dimension_count") ? m.ropeDimensionCount() : headDim;
        RopeConfig rope;
        try {
            rope = new RopeConfig(layout, ropeDims, m.ropeFreqBase(), scaling(file, m));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file.path(), arch + ".rope.*", ropeDims + " dims, base " + m.ropeFreqBase(),
                    e.getMessage(), e);
        }
        boolean bias = file.findTensorInfo("blk.0.attn_q.bias").isPresent();
        boolean tied = file.findTensorInfo("output.weight").isEmpty();
        try {
            return new ModelConfig(arch, dim, m.feedForwardLength(), m.blockCount(), heads, m.headCountKv(), headDim, m.vocabSize(),
                    m.contextLength(), normEpsilon(file, m), rope, bias, tied, m.expertCount(), m.expertUsedCount());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file.path(), arch + ".*", m, e.getMessage(), e);
        }
    }

    /** The RMSNorm epsilon, or for LayerNorm architectures (starcoder2) {@code attention.layer_norm_epsilon}. */
    private static float normEpsilon(GgufFile file, ModelMetadata m) {
        if (!file.metadata().contains(m.architecture() + ".attention.layer_norm_rms_epsilon") && m.layerNormEpsilon().isPresent()) {
            return m.layerNormEpsilon().get();
        }
        return m.rmsNormEpsilon();
    }

    private static RopeScaling scaling(GgufFile file, ModelMetadata m) {
        String type = m.ropeScalingType().orElse("none");
        Optional<Tensor> factors = file.findTensor("rope_freqs.weight");
        if (factors.isPresent()) {
            if (!type.equals("none")) {
                throw new UnsupportedModelException(file.path() + ": rope_freqs.weight together with rope scaling '" + type + "'");
            }
            return new RopeScaling.FrequencyFactors(factors.get().toFloatArray());
        }
        return switch (type) {
            case "none" -> new RopeScaling.None();
            case "linear" -> {
                float f = m.ropeScalingFactor().orElseThrow(() -> new FormatException(file.path(), m.architecture()
                        + ".rope.scaling.factor", "(absent)", "linear RoPE scaling needs a factor"));
                yield f == 1 ? new RopeScaling.None() : new RopeScaling.Linear(f);
            }
            case "yarn" -> yarn(file, m);
            default -> throw new UnsupportedModelException(file.path() + ": RoPE scaling type '" + type
                    + "' is not supported (supported: none, linear, yarn, llama3 frequency factors)");
        };
    }

    /**
     * YaRN as llama.cpp applies it: {@code rope.scaling.factor}, {@code .original_context_length}
     * (default: the context length), {@code .yarn_beta_fast} / {@code .yarn_beta_slow} (32, 1),
     * correction range always truncated (ggml_rope_yarn_corr_dims), attention factor
     * {@code (0.1 ln(factor) + 1) · rope.scaling.attn_factor} (llama_context's yarn_attn_factor times
     * ggml's own mscale). DeepSeek's {@code yarn_log_multiplier} is not implemented.
     */
    private static RopeScaling yarn(GgufFile file, ModelMetadata m) {
        String p = m.architecture() + ".rope.scaling.";
        var md = file.metadata();
        if (md.contains(p + "yarn_log_multiplier") && md.getFloat(p + "yarn_log_multiplier") != 0) {
            throw new UnsupportedModelException(file.path() + ": " + p + "yarn_log_multiplier = " + md.getFloat(p + "yarn_log_multiplier")
                    + " is not supported (supported: yarn without a log multiplier)");
        }
        float factor = m.ropeScalingFactor().orElseThrow(() -> new FormatException(file.path(), p + "factor", "(absent)",
                "yarn RoPE scaling needs a factor"));
        int original = md.contains(p + "original_context_length") ? md.getInt(p + "original_context_length") : m.contextLength();
        double betaFast = md.findFloat(p + "yarn_beta_fast").orElse(32f);
        double betaSlow = md.findFloat(p + "yarn_beta_slow").orElse(1f);
        double attnFactor = md.findFloat(p + "attn_factor").orElse(1f);
        try {
            return new RopeScaling.Yarn(factor, original, betaFast, betaSlow, true,
                    RopeScaling.Yarn.defaultAttentionFactor(factor) * attnFactor);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file.path(), p + "*", factor, e.getMessage(), e);
        }
    }
}
