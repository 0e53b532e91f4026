package dev.panamax.serve;

import dev.panamax.transformer.api.LanguageModel;
import java.nio.file.Path;

/**
 * A model the server offers, under the name requests give as {@code model}.
 *
 * @param id    the name, e.g. the file's name without {@code .gguf}
 * @param model the loaded model
 */
public record ServedModel(String id, LanguageModel model) {
    /**
     * Checks the name and the model.
     *
     * @throws IllegalArgumentException if {@code id} is null or blank, or {@code model} is null
     */
    public ServedModel {
        if (id == null || id.isBlank() || model == null) {
            throw new IllegalArgumentException("a served model needs a name and a model");
        }
    }

    /**
     * The name a model file is served under: its file (or directory) name without a {@code .gguf} ending.
     *
     * @param path the model's GGUF file or checkpoint directory
     * @return the default {@code model} name clients give for it
     */
    public static String idOf(Path path) {
        String name = path.toAbsolutePath().normalize().getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
