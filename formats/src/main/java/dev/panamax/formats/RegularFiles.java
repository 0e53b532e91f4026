package dev.panamax.formats;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Readers map whole files, so they only accept regular files: opening a named pipe (FIFO) would
 * block forever waiting for a writer, and a device or socket has no size to map.
 */
public final class RegularFiles {
    private RegularFiles() {
    }

    /**
     * Returns normally if {@code path} is a regular file (links followed).
     *
     * @param path     the path to check
     * @param expected what the caller wants there, for the message (e.g. {@code "a GGUF file"})
     * @throws NoSuchFileException if nothing is there
     * @throws FileSystemException naming what it is otherwise: a directory, a named pipe or another special file
     */
    public static void require(Path path, String expected) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        if (a.isRegularFile()) {
            return;
        }
        String what = a.isDirectory() ? "a directory" : a.isOther() ? "a named pipe, device or socket" : "not a regular file";
        throw new FileSystemException(path.toString(), null, "is " + what + ", not " + expected);
    }
}
