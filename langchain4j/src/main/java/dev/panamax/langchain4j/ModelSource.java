package dev.panamax.langchain4j;

import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import java.nio.file.Path;

/**
 * What the builders share: which model (a file to open, or a {@link LanguageModel} already open and
 * shared) and how to open it.
 *
 * @param <B> the concrete builder, returned by each setter
 */
abstract class ModelSource<B extends ModelSource<B>> {
    private Path modelPath;
    private LanguageModel languageModel;
    private ModelOptions options = ModelOptions.defaults();

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The GGUF file or Hugging Face checkpoint directory to open; the built model owns it (close it when done).
     *
     * @param path the file or directory
     * @return this builder
     */
    public B modelPath(Path path) {
        this.modelPath = path;
        return self();
    }

    /**
     * A model already open, to share (its weights, its sessions) with other LangChain4j models; the caller closes it.
     *
     * @param model the open model
     * @return this builder
     */
    public B languageModel(LanguageModel model) {
        this.languageModel = model;
        return self();
    }

    /**
     * CPU threads for the kernels (default: one per processor), when opening {@code modelPath}.
     *
     * @param threads the thread count
     * @return this builder
     */
    public B threadCount(int threads) {
        options = options.threads(threads);
        return self();
    }

    /**
     * Positions of each session's KV cache (default: the model's context, capped at 4096), when opening {@code modelPath}.
     *
     * @param positions the context length
     * @return this builder
     */
    public B contextLength(int positions) {
        options = options.contextLength(positions);
        return self();
    }

    /**
     * Batch size, cache type and context, when opening {@code modelPath}.
     *
     * @param load the load options
     * @return this builder
     */
    public B loadOptions(LoadOptions load) {
        options = options.load(load);
        return self();
    }

    /**
     * A chat template (llama.cpp name or Jinja text) instead of the model's, when opening {@code modelPath}.
     *
     * @param nameOrJinja a built-in format's name, or a Jinja template's text
     * @return this builder
     */
    public B chatTemplate(String nameOrJinja) {
        options = options.chatTemplate(nameOrJinja);
        return self();
    }

    /** True if the built model opened the file itself (and closes it). */
    boolean opensModel() {
        return languageModel == null;
    }

    /** The shared model, or the file opened. */
    LanguageModel model() {
        if (languageModel != null) {
            if (modelPath != null) {
                throw new IllegalArgumentException("give modelPath or languageModel, not both");
            }
            return languageModel;
        }
        if (modelPath == null) {
            throw new IllegalArgumentException("modelPath (a GGUF file or checkpoint directory) or languageModel is required");
        }
        return LanguageModel.open(modelPath, options);
    }
}
