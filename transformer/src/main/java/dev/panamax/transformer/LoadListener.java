package dev.panamax.transformer;

/**
 * Told how far loading a model has come, e.g. to draw a progress bar. Called on the loading thread
 * each time a tensor is reached, with the bytes of the tensors before it.
 */
@FunctionalInterface
public interface LoadListener {
    /** Listens to nothing. */
    LoadListener NONE = (done, total) -> { };

    /**
     * Called after each tensor is loaded, on the loading thread.
     *
     * @param bytesDone  bytes of weights loaded so far (at most {@code bytesTotal})
     * @param bytesTotal bytes of all tensors in the file(s), an upper bound of what the model loads
     */
    void loaded(long bytesDone, long bytesTotal);
}
