package dev.panamax.transformer.chat;

import java.util.Objects;

/**
 * One message of a conversation.
 *
 * @param role    {@code "system"}, {@code "user"} or {@code "assistant"} (templates write other roles as given)
 * @param content the text, exactly as written (templates that trim it say so)
 */
public record ChatMessage(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }
}
