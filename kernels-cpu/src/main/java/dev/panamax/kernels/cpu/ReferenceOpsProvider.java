package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.OpsProvider;
import java.util.Optional;

/** Provides the "reference" backend: scalar Java, always available. */
public final class ReferenceOpsProvider implements OpsProvider {
    /** The provider ServiceLoader instantiates. */
    public ReferenceOpsProvider() {
    }

    @Override
    public String name() {
        return ReferenceOps.NAME;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /** The reference kernels run on the caller's thread; {@code threads} is ignored. */
    @Override
    public Ops create(int threads) {
        return new ReferenceOps();
    }
}
