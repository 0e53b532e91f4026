/**
 * Chat: {@link dev.panamax.transformer.chat.ChatTemplate} recognises a model's Jinja chat template by
 * its distinctive markers (as llama.cpp does, without a Jinja engine) and formats conversations the
 * way llama.cpp's built-in templates do; {@link dev.panamax.transformer.chat.ChatSession} holds a
 * conversation over one model, keeping the KV cache across turns.
 */
package dev.panamax.transformer.chat;
