/**
 * LangChain4j on Panamax: {@link dev.panamax.langchain4j.PanamaxChatModel},
 * {@link dev.panamax.langchain4j.PanamaxStreamingChatModel} and
 * {@link dev.panamax.langchain4j.PanamaxEmbeddingModel} run a local GGUF model (or Hugging Face
 * checkpoint) in process, built like LangChain4j's own providers:
 *
 * <pre>{@code
 * ChatModel model = PanamaxChatModel.builder()
 *         .modelPath(Path.of("qwen3-0.6b-q8_0.gguf"))
 *         .temperature(0.7)
 *         .maxTokens(256)
 *         .build();
 * String answer = model.chat("Why is the sky blue?");
 * }</pre>
 *
 * Models built on one {@link dev.panamax.transformer.api.LanguageModel} (the builders'
 * {@code languageModel(...)}) share its weights; each request runs on a session of its own.
 */
package dev.panamax.langchain4j;
