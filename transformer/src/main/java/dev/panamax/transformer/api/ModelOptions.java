package dev.panamax.transformer.api;

import dev.panamax.transformer.LoadOptions;

/**
 * How {@link LanguageModel#open(java.nio.file.Path, ModelOptions)} sets a model up.
 *
 * @param backend     a backend's name ("cpu", "reference", "cuda"), or null for the fastest CPU backend
 * @param threads     CPU threads for the kernels; 0 = one per processor
 * @param load        batch size, KV cache type and context length of each session
 * @param chatTemplate a chat format instead of the model's template (a built-in format's name, Jinja text, or a template file), or null
 */
public record ModelOptions(String backend, int threads, LoadOptions load, String chatTemplate) {
    public ModelOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per processor) or more, got " + threads);
        }
        if (load == null) {
            throw new IllegalArgumentException("load options must not be null");
        }
    }

    /** The fastest CPU backend on every processor, {@link LoadOptions#defaults()}, the model's own chat template. */
    public static ModelOptions defaults() {
        return new ModelOptions(null, 0, LoadOptions.defaults(), null);
    }

    public ModelOptions backend(String name) {
        return new ModelOptions(name, threads, load, chatTemplate);
    }

    public ModelOptions threads(int n) {
        return new ModelOptions(backend, n, load, chatTemplate);
    }

    public ModelOptions load(LoadOptions options) {
        return new ModelOptions(backend, threads, options, chatTemplate);
    }

    /** Positions of each session's KV cache (0: the model's context, capped). */
    public ModelOptions contextLength(int n) {
        return load(load.withContextLength(n));
    }

    public ModelOptions chatTemplate(String nameOrJinja) {
        return new ModelOptions(backend, threads, load, nameOrJinja);
    }
}
