package dev.panamax.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the cuda backend can run here, and if not, exactly why. Each step runs only if the one
 * before passed, so a machine without a GPU never loads a native library: platform, JCuda on the
 * class path, libcuda.so.1 (looked up with the FFM API), JCuda's native library, cuInit, the driver
 * version the PTX needs, a device, its compute capability. Computed once per process.
 */
final class CudaAvailability {
    /** The kernels use tensor cores through wmma with BF16 and are compiled for compute_80 (Ampere). */
    static final int MIN_COMPUTE_CAPABILITY = 80;
    static final String DRIVER_LIBRARY = "libcuda.so.1";

    private CudaAvailability() {
    }

    private static final class Holder {
        static final Optional<String> REASON = probe();
    }

    /** Empty if device 0 can run the kernels; otherwise why not, in one sentence. */
    static Optional<String> unavailableReason() {
        return Holder.REASON;
    }

    private static Optional<String> probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Optional.of("the cuda backend runs on Linux x86_64 only (JCuda's linux-x86_64 natives), not on "
                    + os + " " + arch);
        }
        try {
            Class.forName("jcuda.driver.JCudaDriver", false, CudaAvailability.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("JCuda (org.jcuda:jcuda) is not on the class path (on the module path: add --add-modules jcuda)");
        }
        Optional<String> library = driverLibraryMissing();
        return library.isPresent() ? library : driverReason();
    }

    /** The checks through JCuda (from loading its native library on); never throws. */
    static Optional<String> driverReason() {
        try {
            return DriverProbe.probe(0);
        } catch (LinkageError e) {
            return Optional.of("JCuda's native library failed to load: " + describe(e));
        } catch (RuntimeException e) {
            // JCuda reports a library it cannot load or link as its own jcuda.CudaException
            boolean loading = e.getClass().getName().equals("jcuda.CudaException");
            return Optional.of((loading ? "JCuda's native library failed to load: " : "probing the CUDA driver failed: ")
                    + describe(e));
        }
    }

    /** Why a driver reporting {@code driverVersion} (cuDriverGetVersion) cannot load PTX of ISA {@code isa}, if it cannot. */
    static Optional<String> driverTooOld(int driverVersion, int isa) {
        int needed = Ptx.minimumDriver(isa);
        if (driverVersion >= needed) {
            return Optional.empty();
        }
        return Optional.of("the CUDA driver supports CUDA " + version(driverVersion) + ", but the kernels are PTX ISA "
                + isa / 10 + "." + isa % 10 + ", which needs a CUDA " + version(needed) + " driver or newer");
    }

    /** Why device {@code ordinal} of compute capability {@code cc} (major * 10 + minor) cannot run the kernels, if it cannot. */
    static Optional<String> computeCapabilityTooLow(int ordinal, String name, int cc) {
        if (cc >= MIN_COMPUTE_CAPABILITY) {
            return Optional.empty();
        }
        return Optional.of("CUDA device " + ordinal + " (" + name + ") has compute capability " + cc / 10 + "." + cc % 10
                + "; the kernels need 8.0 (Ampere) or newer");
    }

    private static String version(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause();
        String self = e.toString().replaceAll("\\s*\\R\\s*", "; ");   // one line, for `panamax info`
        return cause == null || cause == e ? self : self + ", caused by " + describe(cause);
    }

    /** Looks up the driver library without JCuda, so a machine without NVIDIA's driver gets a plain answer. */
    static Optional<String> driverLibraryMissing() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(DRIVER_LIBRARY, arena);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(DRIVER_LIBRARY + ", the NVIDIA driver's CUDA library, is not installed or not on the"
                    + " library path (no NVIDIA driver on this machine?)");
        } catch (RuntimeException e) {
            return Optional.of("cannot look up " + DRIVER_LIBRARY + ": " + e.getMessage());
        }
    }
}
