package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A family of models sharing a forward pass (Llama, Qwen3, ...): which files it reads and how it
 * reads their configuration. One implementation per file in this package, listed in {@link Families}.
 */
public interface ModelFamily {
    /** The family's name, e.g. "qwen3". */
    String name();

    /** The GGUF {@code general.architecture} values it reads, e.g. "llama", "mistral". */
    List<String> ggufArchitectures();

    /** The Hugging Face {@code config.json} {@code model_type} values it reads. */
    List<String> hfModelTypes();

    /**
     * Reads the {@code <arch>.*} metadata (and, where the family needs it, which tensors exist).
     *
     * @throws dev.panamax.transformer.UnsupportedModelException for features this family does not implement
     * @throws dev.panamax.formats.FormatException for missing or invalid metadata (naming file and key)
     */
    FamilyConfig fromGguf(GgufFile file);

    /** Reads {@code config.json}, as parsed into {@code config}; {@code file} names it in errors. */
    FamilyConfig fromHf(Path file, HfConfig config);

    /**
     * The values transformers' config class gives the fields a {@code config.json} may omit, where
     * they differ from {@link HfConfig}'s (e.g. Gemma's {@code tie_word_embeddings = true}); filled in
     * before {@code config.json} is parsed ({@link dev.panamax.transformer.HfConfigJson#withDefaults}).
     * None by default.
     */
    default Map<String, ?> hfDefaults() {
        return Map.of();
    }
}
