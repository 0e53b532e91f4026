package dev.panamax.transformer.api;

import dev.panamax.transformer.chat.ChatMessage;
import dev.panamax.transformer.chat.ChatFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A conversation on a session of its own: each turn formats the whole conversation in the chat
 * format (the model's template) and generates the reply; the session's KV cache keeps the earlier turns, so a turn
 * computes only the conversation's new suffix. One thread at a time, like its {@link Session}.
 */
public final class Chat implements AutoCloseable {
    private final Session session;
    private final ChatFormat template;
    private final List<ChatMessage> messages = new ArrayList<>();

    /** @param system the system message to start with, or null for none */
    Chat(Session session, ChatFormat template, String system) {
        this.session = session;
        this.template = template;
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
    }

    /**
     * Sends {@code userText} and returns the reply's text.
     *
     * @param userText the user's message
     * @param options  sampling, stops and the reply's token budget (capped by the context left)
     * @return the assistant's reply, also added to the conversation
     * @throws IllegalArgumentException if the conversation no longer fits in the context
     */
    public String send(String userText, GenerateOptions options) {
        return send(userText, options, text -> { }).text();
    }

    /**
     * Adds {@code userText} as a user message, generates the assistant's reply (streamed to
     * {@code onText}) and adds it to the conversation.
     *
     * @param userText the user's message
     * @param options  sampling, stops and the reply's token budget (capped by the context left)
     * @param onText   receives the reply's text piece by piece, as it is generated
     * @return the reply, its tokens and why it stopped
     * @throws IllegalArgumentException if the conversation no longer fits in the context
     */
    public Completion send(String userText, GenerateOptions options, Consumer<String> onText) {
        return reply(List.of(ChatMessage.user(userText)), options, onText);
    }

    /**
     * Adds {@code turns} (user, or a tool's messages) and generates the assistant's reply to the
     * conversation so far, streamed to {@code onText}.
     *
     * @param turns   the messages to add before the reply, in order
     * @param options sampling, stops and the reply's token budget (capped by the context left)
     * @param onText  receives the reply's text piece by piece, as it is generated
     * @return the reply, its tokens and why it stopped
     * @throws IllegalArgumentException if the conversation no longer fits in the context
     */
    public Completion reply(List<ChatMessage> turns, GenerateOptions options, Consumer<String> onText) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.addAll(turns);
        int[] prompt = session.tokenizer().encode(template.format(next, true), template.tokenizerAddsBos(), true);
        int context = session.transformer().config().contextLength();
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the conversation has grown to " + prompt.length
                    + " tokens, which leaves no room in the context of " + context);
        }
        Completion c = session.complete(prompt, options.maxTokens(Math.min(options.maxTokens(), context - prompt.length + 1)), onText);
        messages.clear();
        messages.addAll(next);
        messages.add(ChatMessage.assistant(c.text()));
        return c;
    }

    /**
     * The conversation so far.
     *
     * @return a copy of its messages, oldest first (system, user, assistant, tool)
     */
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /**
     * The chat format the turns are written in.
     *
     * @return the model's chat format
     */
    public ChatFormat format() {
        return template;
    }

    /**
     * The session underneath (its cache holds the conversation).
     *
     * @return the chat's own session
     */
    public Session session() {
        return session;
    }

    /** Frees the session's cache. */
    @Override
    public void close() {
        session.close();
    }
}
