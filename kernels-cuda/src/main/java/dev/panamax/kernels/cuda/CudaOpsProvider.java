package dev.panamax.kernels.cuda;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.OpsProvider;
import java.util.Optional;

/**
 * The "cuda" backend: runs on device 0 when an NVIDIA GPU of compute capability 8.0 or newer and a
 * CUDA 13 driver are present. {@link #unavailableReason()} is safe and cheap on machines without
 * one: it loads no native library unless libcuda.so.1 exists.
 */
public final class CudaOpsProvider implements OpsProvider {
    /** Called by {@link java.util.ServiceLoader}; does nothing until the backend is asked for. */
    public CudaOpsProvider() {
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Optional<String> unavailableReason() {
        return CudaAvailability.unavailableReason();
    }

    /** A backend on device 0; {@code threads} is ignored (the GPU's parallelism is its own). */
    @Override
    public Ops create(int threads) {
        unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException("the cuda backend is unavailable: " + reason);
        });
        return new CudaOps(0);
    }
}
