package dev.panamax.formats;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.formats.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: a model path that is a named pipe blocked {@code generate} forever in FileChannel.open.
 * Every reader refuses anything but a regular file, at once, saying what the path is.
 */
class SpecialFilesTest {
    @TempDir
    Path dir;

    private Path fifo() throws Exception {
        Path p = dir.resolve("model.gguf");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        } catch (IOException e) {
            assumeTrue(false, "mkfifo is not available here: " + e.getMessage());
            throw e;
        }
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed");
        return p;
    }

    @Test
    void every_reader_rejects_a_named_pipe_at_once_saying_what_it_is() throws Exception {
        Path pipe = fifo();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            FileSystemException gguf = assertThrows(FileSystemException.class, () -> GgufFile.open(pipe));
            assertTrue(gguf.getMessage().contains("named pipe"), gguf.getMessage());
            UncheckedIOException st = assertThrows(UncheckedIOException.class, () -> SafetensorsFile.open(pipe));
            assertTrue(st.getCause().getMessage().contains("named pipe"), st.getCause().getMessage());
            assertFalse(SafetensorsFile.probe(pipe));
            UncheckedIOException config = assertThrows(UncheckedIOException.class, () -> HfConfig.read(pipe, type -> { }));
            assertTrue(config.getCause().getMessage().contains("named pipe"), config.getCause().getMessage());
            FileSystemException inspect = assertThrows(FileSystemException.class, () -> Inspector.detect(pipe));
            assertTrue(inspect.getMessage().contains("named pipe"), inspect.getMessage());
        });
    }

    @Test
    void a_directory_and_a_missing_file_are_named_as_such() {
        FileSystemException d = assertThrows(FileSystemException.class, () -> GgufFile.open(dir));
        assertTrue(d.getMessage().contains("is a directory"), d.getMessage());
        NoSuchFileException m = assertThrows(NoSuchFileException.class, () -> GgufFile.open(dir.resolve("absent.gguf")));
        assertTrue(m.getMessage().contains("absent.gguf"), m.getMessage());
    }
}
