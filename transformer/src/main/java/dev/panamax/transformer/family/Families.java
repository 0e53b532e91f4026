package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.transformer.HfConfigJson;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.formats.safetensors.HfConfig;
import java.nio.file.Files;
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

    /**
     * The family's whole reading of {@code file}.
     *
     * @param file an open GGUF model
     * @return the family and its reading of the metadata
     * @throws UnsupportedModelException for an architecture no family reads
     */
    public static FamilyConfig read(GgufFile file) {
        return forGguf(file.path(), file.model().architecture()).fromGguf(file);
    }

    /**
     * The family's whole reading of {@code config.json} (or the one inside a directory): of its language model's
     * object ({@code text_config} in a multimodal config), with the family's defaults for the fields it omits.
     *
     * @param path a {@code config.json}, or the checkpoint directory holding it
     * @return the family and its reading of the config
     * @throws UnsupportedModelException for a {@code model_type} no family reads
     */
    public static FamilyConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        return read(file, HfConfigJson.read(file));
    }

    /**
     * The family's whole reading of the parsed {@code config.json} {@code json}.
     *
     * @param file the config's file, for messages
     * @param json its fields
     * @return the family and its reading of the config
     */
    public static FamilyConfig read(Path file, HfConfigJson json) {
        String type = json.modelType().orElseThrow(() -> new FormatException(file, "model_type", "missing", "is required"));
        ModelFamily family = forHf(file, type);
        HfConfig config = HfConfig.parse(file, json.withDefaults(family.hfDefaults()).toJson(), t -> forHf(file, t));
        return family.fromHf(file, config);
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
