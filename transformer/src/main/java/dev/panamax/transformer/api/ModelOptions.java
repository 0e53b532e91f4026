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
    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException if {@code threads} is negative or {@code load} is null
     */
    public ModelOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per processor) or more, got " + threads);
        }
        if (load == null) {
            throw new IllegalArgumentException("load options must not be null");
        }
    }

    /**
     * The fastest CPU backend on every processor, {@link LoadOptions#defaults()}, the model's own chat template.
     *
     * @return the default options
     */
    public static ModelOptions defaults() {
        return new ModelOptions(null, 0, LoadOptions.defaults(), null);
    }

    /**
     * Runs on the backend named {@code name}.
     *
     * @param name "cpu", "reference", "cuda" (found at run time), or null for the fastest CPU backend
     * @return a copy with that backend
     */
    public ModelOptions backend(String name) {
        return new ModelOptions(name, threads, load, chatTemplate);
    }

    /**
     * Runs the CPU kernels on {@code n} threads.
     *
     * @param n the thread count; 0 for one per processor
     * @return a copy with that thread count
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public ModelOptions threads(int n) {
        return new ModelOptions(backend, n, load, chatTemplate);
    }

    /**
     * Loads the model and sizes its sessions with {@code options}.
     *
     * @param options batch size, KV cache type, context length and LoRA adapters
     * @return a copy with those load options
     * @throws IllegalArgumentException if {@code options} is null
     */
    public ModelOptions load(LoadOptions options) {
        return new ModelOptions(backend, threads, options, chatTemplate);
    }

    /**
     * Positions of each session's KV cache (0: the model's context, capped).
     *
     * @param n the context length in tokens, or 0
     * @return a copy with that context length
     */
    public ModelOptions contextLength(int n) {
        return load(load.withContextLength(n));
    }

    /**
     * Writes chat turns in this format instead of the model's own template.
     *
     * @param nameOrJinja a built-in format's name, Jinja template text, or a template file's path; null for the model's own
     * @return a copy with that chat template
     */
    public ModelOptions chatTemplate(String nameOrJinja) {
        return new ModelOptions(backend, threads, load, nameOrJinja);
    }
}
