package dev.panamax.transformer.chat;

import java.util.List;

/**
 * How a conversation becomes the prompt text: the model's own Jinja template ({@link JinjaChatTemplate}),
 * or a built-in format ({@link ChatTemplate}) chosen by name or used when a model ships no template.
 */
public interface ChatFormat {
    /**
     * The prompt for {@code messages}.
     *
     * @param messages the conversation, oldest first
     * @return the prompt text
     * @param addAssistantPrompt end with the opening of an assistant turn, for the model to complete
     */
    String format(List<ChatMessage> messages, boolean addAssistantPrompt);

    /**
     * Whether the prompt is to be tokenized with the vocabulary's BOS added. A model's template writes
     * its BOS itself (Hugging Face tokenizes its output without adding special tokens); the built-in
     * formats leave it to the tokenizer.
     *
     * @return true for the built-in formats, false for a model's own template
     */
    boolean tokenizerAddsBos();

    /** {@return a short name for messages: {@code chatml}, or {@code the model's template}} */
    String label();
}
