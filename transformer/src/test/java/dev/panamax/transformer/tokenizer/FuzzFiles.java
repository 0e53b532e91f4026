package dev.panamax.transformer.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A directory for the fuzz targets that read files by path: one per JVM, deleted at exit. */
final class FuzzFiles {
    private static final Path DIR = create();

    private FuzzFiles() {
    }

    /** Writes {@code bytes} as {@code name} in the fuzz directory (replacing it) and returns its path. */
    static Path write(String name, byte[] bytes) {
        try {
            return Files.write(DIR.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code name} from the fuzz directory if it is there. */
    static void delete(String name) {
        try {
            Files.deleteIfExists(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path create() {
        try {
            Path dir = Files.createTempDirectory("panamax-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
