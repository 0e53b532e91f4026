package dev.panamax.transformer.chat;

/** A model's chat template is missing, unrecognised, or of a family Panamax does not format. */
public class UnsupportedChatTemplateException extends IllegalArgumentException {
    public UnsupportedChatTemplateException(String message) {
        super(message);
    }
}
