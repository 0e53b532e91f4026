package dev.panamax.tensor;

import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds compute backends by name through {@link ServiceLoader}.
 *
 * <pre>{@code
 * try (Ops ops = Backends.open("cpu", Runtime.getRuntime().availableProcessors())) { ... }
 * }</pre>
 */
public final class Backends {
    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static volatile boolean fallbackWarned;

    private Backends() {
    }

    /**
     * Every backend on the class or module path, available or not: "reference" and "cpu" from
     * panamax-kernels-cpu, "cuda" when panamax-kernels-cuda is there too.
     *
     * @return the providers, in {@link ServiceLoader} order
     */
    public static List<OpsProvider> providers() {
        return ServiceLoader.load(OpsProvider.class, Backends.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList();
    }

    /**
     * The provider called {@code name}.
     *
     * @param name a backend's {@link OpsProvider#name()}
     * @return its provider, available or not
     * @throws IllegalArgumentException if no backend has that name (the message lists those found)
     */
    public static OpsProvider provider(String name) {
        List<OpsProvider> all = providers();
        return all.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no backend named '" + name + "'; found " + all.stream().map(OpsProvider::name).toList()));
    }

    /**
     * Opens the backend called {@code name}.
     *
     * @param name    a backend's {@link OpsProvider#name()}
     * @param threads threads for its kernels (see {@link OpsProvider#create(int)})
     * @return the backend, which the caller closes
     * @throws IllegalArgumentException if it does not exist
     * @throws IllegalStateException    if it cannot run here (the message says why)
     */
    public static Ops open(String name, int threads) {
        OpsProvider p = provider(name);
        p.unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException("backend '" + name + "' is unavailable: " + reason);
        });
        return p.create(threads);
    }

    /**
     * The fastest CPU backend that can run: "cpu", or "reference" with one warning (logged once per
     * process) when the Vector API is missing, e.g. without {@code --add-modules jdk.incubator.vector}.
     *
     * @param threads threads for its kernels; 0 or less means one per processor
     * @return the backend, which the caller closes
     */
    public static Ops openCpu(int threads) {
        OpsProvider cpu = providers().stream().filter(p -> p.name().equals("cpu")).findFirst().orElse(null);
        String reason = cpu == null ? "the panamax-kernels-cpu 'cpu' backend is not on the class path"
                : cpu.unavailableReason().orElse(null);
        if (reason == null) {
            return cpu.create(threads);
        }
        if (!fallbackWarned) {
            fallbackWarned = true;
            LOG.log(System.Logger.Level.WARNING, "Panamax falls back to the scalar 'reference' kernels, which are many times"
                    + " slower: " + reason);
        }
        return open("reference", threads);
    }
}
