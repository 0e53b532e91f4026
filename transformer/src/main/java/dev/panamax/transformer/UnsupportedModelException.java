package dev.panamax.transformer;

/** A model this transformer cannot run: an unknown architecture or a feature it does not implement. */
public class UnsupportedModelException extends RuntimeException {
    /**
     * Creates the exception.
     *
     * @param message what is not supported and in which file, e.g. an architecture's name
     */
    public UnsupportedModelException(String message) {
        super(message);
    }
}
