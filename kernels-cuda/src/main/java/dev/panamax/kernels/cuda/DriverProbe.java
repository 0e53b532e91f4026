package dev.panamax.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/** The driver-side checks of {@link CudaAvailability}; loading this class loads JCuda's native library. */
final class DriverProbe {
    private DriverProbe() {
    }

    static Optional<String> probe(int ordinal) {
        JCudaDriver.setExceptionsEnabled(false);
        int r = cuInit(0);
        if (r != CUresult.CUDA_SUCCESS) {
            return Optional.of("cuInit failed: " + CUresult.stringFor(r) + " (" + r + ")");
        }
        int[] value = new int[1];
        r = cuDriverGetVersion(value);
        if (r != CUresult.CUDA_SUCCESS) {
            return Optional.of("cuDriverGetVersion failed: " + CUresult.stringFor(r));
        }
        int isa = Ptx.isaVersion(Ptx.load("matmul"));
        int needed = Ptx.minimumDriver(isa);
        if (value[0] < needed) {
            return Optional.of("the CUDA driver supports CUDA " + version(value[0]) + ", but the kernels are PTX ISA "
                    + isa / 10 + "." + isa % 10 + ", which needs a CUDA " + version(needed) + " driver or newer");
        }
        r = cuDeviceGetCount(value);
        if (r != CUresult.CUDA_SUCCESS || value[0] == 0) {
            return Optional.of("no CUDA device is visible" + (r != CUresult.CUDA_SUCCESS ? ": " + CUresult.stringFor(r)
                    : " (CUDA_VISIBLE_DEVICES=" + System.getenv("CUDA_VISIBLE_DEVICES") + ")"));
        }
        if (ordinal >= value[0]) {
            return Optional.of("CUDA device " + ordinal + " does not exist; " + value[0] + " visible");
        }
        CUdevice device = new CUdevice();
        r = cuDeviceGet(device, ordinal);
        if (r != CUresult.CUDA_SUCCESS) {
            return Optional.of("cuDeviceGet(" + ordinal + ") failed: " + CUresult.stringFor(r));
        }
        int cc = computeCapability(device);
        if (cc < CudaAvailability.MIN_COMPUTE_CAPABILITY) {
            return Optional.of("CUDA device " + ordinal + " (" + name(device) + ") has compute capability " + cc / 10 + "."
                    + cc % 10 + "; the kernels need 8.0 (Ampere) or newer");
        }
        return Optional.empty();
    }

    static int computeCapability(CUdevice device) {
        int[] major = new int[1];
        int[] minor = new int[1];
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        return major[0] * 10 + minor[0];
    }

    static String name(CUdevice device) {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int n = 0;
        while (n < name.length && name[n] != 0) {
            n++;
        }
        return new String(name, 0, n, StandardCharsets.US_ASCII);
    }

    private static String version(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }
}
