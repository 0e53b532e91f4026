package dev.panamax.transformer.chat;

/** A chat template that cannot be used: not a known format's name, not parseable, or of a family Panamax does not format. */
public class UnsupportedChatTemplateException extends IllegalArgumentException {
    public UnsupportedChatTemplateException(String message) {
        super(message);
    }

    public UnsupportedChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
