package dev.panamax.transformer.chat;

/** A chat template that cannot be used: not a known format's name, not parseable, or of a family Panamax does not format. */
public class UnsupportedChatTemplateException extends IllegalArgumentException {
    /**
     * Creates the exception.
     *
     * @param message what was found and what is supported
     */
    public UnsupportedChatTemplateException(String message) {
        super(message);
    }

    /**
     * Creates the exception, for a template that failed to parse.
     *
     * @param message what was found and what is supported
     * @param cause   the parser's exception
     */
    public UnsupportedChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
