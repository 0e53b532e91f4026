package dev.panamax.transformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Weights are read in place from memory-mapped files, and reading a page that a truncation took
 * away is a SIGBUS: from scalar code the JVM turns it into an InternalError, from the Vector API's
 * compiled loads it kills the process. Nothing can catch the second, so every forward pass first
 * checks (one {@code stat} per file) that no file shrank since it was opened. A truncation during
 * a forward pass can still crash the process; docs/reliability.md says so.
 */
final class FileGuard {
    private final Path reported;
    private final List<Path> files;
    private final long[] sizes;
    /**
     * Per file, its {@link java.io.File} where it is on the default file system (else null): {@code File.length()}
     * is the same {@code stat} without {@code Files.size}'s attribute objects, so a decoded token allocates nothing.
     */
    private final java.io.File[] plain;

    private FileGuard(Path reported, List<Path> files, long[] sizes) {
        this.reported = reported;
        this.files = files;
        this.sizes = sizes;
        this.plain = new java.io.File[files.size()];
        for (int i = 0; i < plain.length; i++) {
            plain[i] = files.get(i).getFileSystem() == java.nio.file.FileSystems.getDefault() ? files.get(i).toFile() : null;
        }
    }

    /** Remembers the sizes of {@code files} now; {@code reported} (the file or checkpoint directory) names them in errors. */
    static FileGuard of(Path reported, List<Path> files) {
        long[] sizes = new long[files.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = sizeOf(files.get(i));
        }
        return new FileGuard(reported, List.copyOf(files), sizes);
    }

    /** The model file or checkpoint directory, as errors name it. */
    Path reported() {
        return reported;
    }

    /** @throws ModelFileChangedException if a file is now shorter than when it was opened, or gone */
    void check() {
        for (int i = 0; i < sizes.length; i++) {
            // File.length() is 0 for a file that is gone: as bad as truncated (the files are not empty)
            if ((plain[i] != null ? plain[i].length() : sizeOf(files.get(i))) < sizes[i]) {
                throw new ModelFileChangedException(reported, null);
            }
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1; // gone or unreadable: as bad as truncated
        }
    }
}
