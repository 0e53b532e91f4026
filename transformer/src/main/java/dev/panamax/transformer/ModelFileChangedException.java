package dev.panamax.transformer;

import java.nio.file.Path;

/**
 * The model's weights are read in place from the memory-mapped file, so the file must not change
 * while a model is open: truncating or rewriting it (a copy over it, a download restarting) turns
 * the next read of the lost pages into a memory fault. Reported with the file's name instead.
 */
public final class ModelFileChangedException extends IllegalStateException {
    private final Path file;

    public ModelFileChangedException(Path file, Throwable cause) {
        super(file + ": the model file was truncated or changed while it was open (its weights are read in place from the "
                + "mapping); reopen the model from a complete file", cause);
        this.file = file;
    }

    /** {@return the model file (or checkpoint directory)} */
    public Path file() {
        return file;
    }
}
