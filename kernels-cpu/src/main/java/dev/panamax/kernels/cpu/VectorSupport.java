package dev.panamax.kernels.cpu;

import java.util.Optional;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) is usable in this JVM, checked without
 * loading any of its classes, so callers can fall back to the scalar kernels when it is not.
 */
public final class VectorSupport {
    private VectorSupport() {
    }

    /**
     * Whether the Vector API can be used.
     *
     * @return empty if it can; otherwise what is missing and how to fix it
     */
    public static Optional<String> unavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Optional.of("the Vector API module is not enabled: start the JVM with --add-modules jdk.incubator.vector");
        }
        return Optional.empty();
    }

    /**
     * The vector width the kernels use.
     *
     * @return e.g. "FloatVector.SPECIES_PREFERRED: 256 bits (8 floats)", or why the Vector API is unavailable
     */
    public static String describe() {
        return unavailableReason().orElseGet(VectorSpecies::describePreferred);
    }

    /** Kept in its own class so that {@link VectorSupport} never links incubator classes itself. */
    private static final class VectorSpecies {
        static String describePreferred() {
            var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            return "FloatVector.SPECIES_PREFERRED: " + species.vectorBitSize() + " bits (" + species.length() + " floats)";
        }
    }
}
