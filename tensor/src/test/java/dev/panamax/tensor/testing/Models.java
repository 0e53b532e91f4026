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
 * variable {@code PANAMAX_MODELS}, else {@code ../shared/models} beside the project's checkout.
 */
public final class Models {
    private Models() {
    }

    /** The models directory, if it exists: the first existing of the property, the variable, the default. */
    public static Optional<Path> directory() {
        for (String candidate : new String[] {System.getProperty("panamax.models"), System.getenv("PANAMAX_MODELS"),
                "../../shared/models", "../shared/models"}) {
            if (candidate != null && Files.isDirectory(Path.of(candidate))) {
                return Optional.of(Path.of(candidate).toAbsolutePath().normalize());
            }
        }
        return Optional.empty();
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
