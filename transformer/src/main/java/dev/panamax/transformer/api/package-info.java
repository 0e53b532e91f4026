/**
 * The high-level API: open a model, generate text, chat, embed, in a few lines.
 *
 * <pre>{@code
 * try (LanguageModel model = LanguageModel.open(Path.of("model.gguf"))) {
 *     String text = model.generate("Once upon a time", GenerateOptions.greedy().maxTokens(64));
 * }
 * }</pre>
 *
 * {@link dev.panamax.transformer.api.LanguageModel} is safe to share between threads: each call, and
 * each {@link dev.panamax.transformer.api.Session}, has a KV cache and scratch of its own over the
 * one copy of the weights. A session or chat is driven by one thread at a time.
 */
package dev.panamax.transformer.api;
