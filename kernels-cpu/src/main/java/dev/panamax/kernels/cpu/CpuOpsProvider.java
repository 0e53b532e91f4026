package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.OpsProvider;
import java.util.Optional;

/**
 * Provides the "cpu" backend (Vector API, multi-threaded). It is unavailable when the JVM was
 * started without {@code --add-modules jdk.incubator.vector}. This class refers to no incubator
 * class, so it can be loaded and asked anywhere.
 */
public final class CpuOpsProvider implements OpsProvider {
    /** The provider ServiceLoader instantiates. */
    public CpuOpsProvider() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Optional<String> unavailableReason() {
        return VectorSupport.unavailableReason();
    }

    /** A backend with {@code threads} threads; 0 or less means {@link Runtime#availableProcessors()}. */
    @Override
    public Ops create(int threads) {
        unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException("backend 'cpu' is unavailable: " + reason);
        });
        return new CpuOps(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    }
}
