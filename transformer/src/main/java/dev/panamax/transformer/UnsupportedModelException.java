package dev.panamax.transformer;

/** A model this transformer cannot run: an unknown architecture or a feature it does not implement. */
public class UnsupportedModelException extends RuntimeException {
    public UnsupportedModelException(String message) {
        super(message);
    }
}
