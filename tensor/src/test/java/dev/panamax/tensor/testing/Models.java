package dev.panamax.tensor.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the real test models of {@code ../shared/models}. Tests that need them call
 * {@link #require(String)}, which skips the test with a clear message when they are absent.
 *
 * <p>The directory comes from the system property {@code panamax.models}, else the environment
 * variable {@code PANAMAX_MODELS}, else {@code ../shared/models} relative to the project root.
 */
public final class Models {
    private Models() {
    }

    /** The models directory, if it exists. */
    public static Optional<Path> directory() {
        String configured = System.getProperty("panamax.models", System.getenv("PANAMAX_MODELS"));
        Path dir = configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "models");
        return Files.isDirectory(dir) ? Optional.of(dir.toAbsolutePath().normalize()) : Optional.empty();
    }

    /** The file {@code name} in the models directory; skips the calling test if it is not there. */
    public static Path require(String name) {
        Optional<Path> dir = directory();
        Assumptions.assumeTrue(dir.isPresent(), "real test models not found: set -Dpanamax.models or PANAMAX_MODELS "
                + "to the shared/models directory (see MODELS.md); skipping");
        Path file = dir.get().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(file), "test model " + file + " is missing; skipping");
        return file;
    }
}
