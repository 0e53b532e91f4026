package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link GgufWriter#write(Path)} leaves on disk: the file's permissions, and no temporary files. */
class GgufWriterFileTest {
    @TempDir
    Path dir;

    private static GgufWriter writer() {
        return new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.block_count", 7);
    }

    @Test
    void a_written_file_has_the_permissions_of_any_new_file_not_those_of_a_private_temporary_one() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path out = dir.resolve("model.gguf");
        writer().write(out);
        Path plain = Files.createFile(dir.resolve("plain")); // what the umask gives a new file
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
        try (GgufFile g = GgufFile.open(out)) {
            assertEquals(7, g.metadata().getInt("llama.block_count"));
        }
    }

    @Test
    void a_missing_directory_is_named_not_the_temporary_file() {
        Path missing = dir.resolve("missing");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> writer().write(missing.resolve("model.gguf")));
        assertEquals(missing.toString(), e.getFile());
        assertTrue(e.getMessage().contains("no such directory to write model.gguf in"), e.getMessage());
    }
}
