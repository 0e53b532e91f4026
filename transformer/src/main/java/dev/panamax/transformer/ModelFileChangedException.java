package dev.panamax.transformer;

import java.nio.file.Path;

/**
 * The model's weights are read in place from the memory-mapped file, so the file must not change
 * while a model is open: truncating or rewriting it (a copy over it, a download restarting) turns
 * the next read of the lost pages into a memory fault. Reported with the file's name instead.
 */
public final class ModelFileChangedException extends IllegalStateException {
    /** The model file (serialized with the exception). */
    private final Path file;

    /**
     * The mapping of {@code file} failed under a read.
     *
     * @param file  the model file (or checkpoint directory)
     * @param cause the memory fault the read raised
     */
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
