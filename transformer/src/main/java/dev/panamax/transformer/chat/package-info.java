/**
 * Chat: {@link dev.panamax.transformer.chat.JinjaChatTemplate} renders a model's own Jinja chat
 * template as Hugging Face's {@code apply_chat_template} does (with the interpreter of
 * {@code dev.panamax.transformer.chat.jinja}, a package of the module's own); {@link dev.panamax.transformer.chat.ChatTemplate} holds
 * the built-in formats, chosen by name or used when a model has no template;
 * {@link dev.panamax.transformer.chat.ModelChatTemplate} finds a model's template and picks the format;
 * {@link dev.panamax.transformer.chat.ChatSession} holds a conversation over one model, keeping the KV
 * cache across turns.
 */
package dev.panamax.transformer.chat;
