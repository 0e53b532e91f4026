package dev.panamax.transformer;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.ModelMetadata;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@link ModelConfig} from a GGUF file's {@code <arch>.*} metadata (and its optional
 * {@code rope_freqs.weight} tensor, where llama.cpp stores Llama 3 RoPE scaling).
 *
 * <p>RoPE layout: llama.cpp's converter permutes the Q and K rows of {@code llama} models so that
 * adjacent pairs rotate together ({@link Rope.Layout#INTERLEAVED}, ggml mode 0); {@code qwen2}
 * keeps Hugging Face's layout and rotates halves ({@link Rope.Layout#NEOX}, ggml mode 2).
 */
public final class GgufConfigReader {
    /** Architectures whose blocks are exactly Llama's (Mixtral and Mistral files say "llama"). */
    private static final Set<String> LLAMA_LIKE = Set.of("llama", "mistral");
    private static final Set<String> NEOX_ROPE = Set.of("qwen2");

    private GgufConfigReader() {
    }

    /**
     * @throws UnsupportedModelException for architectures or RoPE scalings this transformer does not implement
     * @throws FormatException           for missing or invalid metadata (naming file and key)
     */
    public static ModelConfig read(GgufFile file) {
        ModelMetadata m = file.model();
        String arch = m.architecture();
        if (!LLAMA_LIKE.contains(arch) && !NEOX_ROPE.contains(arch)) {
            throw new UnsupportedModelException(file.path() + ": general.architecture '" + arch + "' is not supported; supported: "
                    + LLAMA_LIKE + " and " + NEOX_ROPE);
        }
        int dim = m.embeddingLength();
        int heads = m.headCount();
        String keyLength = arch + ".attention.key_length";
        int headDim = file.metadata().contains(keyLength) ? file.metadata().getInt(keyLength) : dim / Math.max(1, heads);
        Rope.Layout layout = NEOX_ROPE.contains(arch) ? Rope.Layout.NEOX : Rope.Layout.INTERLEAVED;
        RopeConfig rope;
        try {
            rope = new RopeConfig(layout, m.ropeDimensionCount(), m.ropeFreqBase(), scaling(file, m));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file.path(), arch + ".rope.*", m.ropeDimensionCount() + " dims, base " + m.ropeFreqBase(),
                    e.getMessage(), e);
        }
        boolean bias = file.findTensorInfo(TensorNames.GGUF.attentionBias(0, "q")).isPresent();
        boolean tied = file.findTensorInfo(TensorNames.GGUF.output()).isEmpty();
        try {
            return new ModelConfig(arch, dim, m.feedForwardLength(), m.blockCount(), heads, m.headCountKv(), headDim, m.vocabSize(),
                    m.contextLength(), m.rmsNormEpsilon(), rope, bias, tied, m.expertCount(), m.expertUsedCount());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file.path(), arch + ".*", m, e.getMessage(), e);
        }
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
            default -> throw new UnsupportedModelException(file.path() + ": RoPE scaling type '" + type
                    + "' is not supported (supported: none, linear, llama3 frequency factors)");
        };
    }
}
