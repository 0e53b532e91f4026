package dev.panamax.serve;

import dev.panamax.transformer.api.LanguageModel;
import java.nio.file.Path;
import java.util.List;

/**
 * A model the server offers, under the name requests give as {@code model}.
 *
 * @param id       the name, e.g. the file's name without {@code .gguf}
 * @param model    the loaded model (opened without adapters: requests choose theirs)
 * @param adapters the LoRA adapters requests may pick, by index ({@link ServedAdapter})
 */
public record ServedModel(String id, LanguageModel model, List<ServedAdapter> adapters) {
    /**
     * Checks the name and the model, and copies the list.
     *
     * @throws IllegalArgumentException if {@code id} is null or blank, or {@code model} or {@code adapters} is null
     */
    public ServedModel {
        if (id == null || id.isBlank() || model == null || adapters == null) {
            throw new IllegalArgumentException("a served model needs a name, a model and a list of adapters (maybe empty)");
        }
        adapters = List.copyOf(adapters);
    }

    /**
     * A model served without adapters.
     *
     * @param id    the name
     * @param model the loaded model
     */
    public ServedModel(String id, LanguageModel model) {
        this(id, model, List.of());
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
