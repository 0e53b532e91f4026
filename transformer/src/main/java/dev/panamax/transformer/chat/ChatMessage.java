package dev.panamax.transformer.chat;

import java.util.Objects;

/**
 * One message of a conversation.
 *
 * @param role    {@code "system"}, {@code "user"} or {@code "assistant"} (templates write other roles as given)
 * @param content the text, exactly as written (templates that trim it say so)
 */
public record ChatMessage(String role, String content) {
    /** The role of instructions that frame the conversation. */
    public static final String SYSTEM = "system";
    /** The role of the person talking to the model. */
    public static final String USER = "user";
    /** The role of the model's replies. */
    public static final String ASSISTANT = "assistant";

    /** Checks that both fields are given. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /**
     * A system message.
     *
     * @param content its text
     * @return the message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    /**
     * A user message.
     *
     * @param content its text
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    /**
     * An assistant message.
     *
     * @param content its text
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }
}
