package dev.panamax.transformer.family;

import dev.panamax.transformer.UnsupportedModelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Every supported family, in a stable order (the order error messages and {@code inspect} list them in). */
public final class Families {
    /** All families. A new family is one file in this package plus one entry here. */
    public static final List<ModelFamily> ALL = List.of(
            new Llama(),
            new Qwen2(),
            new Qwen2Moe(),
            new Qwen3(),
            new Qwen3Moe(),
            new Gemma(),
            new Gemma2(),
            new Gemma3(),
            new GptOss(),
            new Phi3(),
            new Olmo2(),
            new Granite(),
            new Starcoder2(),
            new DeepSeek2(),
            new Bert());

    private Families() {
    }

    /**
     * The family that reads GGUF files of {@code general.architecture = architecture}.
     *
     * @param file named in the error
     * @throws UnsupportedModelException naming the file, the key and its value, and the supported values
     */
    public static ModelFamily forGguf(Path file, String architecture) {
        for (ModelFamily f : ALL) {
            if (f.ggufArchitectures().contains(architecture)) {
                return f;
            }
        }
        throw new UnsupportedModelException(file + ": general.architecture '" + architecture + "' is not supported; supported: "
                + String.join(", ", ggufArchitectures()));
    }

    /**
     * The family that reads Hugging Face checkpoints of {@code model_type = modelType}.
     *
     * @throws UnsupportedModelException naming the file, the field and its value, and the supported values
     */
    public static ModelFamily forHf(Path file, String modelType) {
        for (ModelFamily f : ALL) {
            if (f.hfModelTypes().contains(modelType)) {
                return f;
            }
        }
        throw new UnsupportedModelException(file + ": model_type '" + modelType + "' is not supported; supported: "
                + String.join(", ", hfModelTypes()));
    }

    /** The family whose GGUF architectures or Hugging Face model types include {@code architecture}. */
    public static Optional<ModelFamily> of(String architecture) {
        return ALL.stream().filter(f -> f.ggufArchitectures().contains(architecture) || f.hfModelTypes().contains(architecture))
                .findFirst();
    }

    /** Every GGUF architecture read, family by family. */
    public static List<String> ggufArchitectures() {
        return ALL.stream().flatMap(f -> f.ggufArchitectures().stream()).toList();
    }

    /** Every Hugging Face model type read, family by family. */
    public static List<String> hfModelTypes() {
        return ALL.stream().flatMap(f -> f.hfModelTypes().stream()).toList();
    }
}
