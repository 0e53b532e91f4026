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
        Optional<String> old = CudaAvailability.driverTooOld(value[0], Ptx.isaVersion(Ptx.load("matmul")));
        if (old.isPresent()) {
            return old;
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
        return CudaAvailability.computeCapabilityTooLow(ordinal, name(device), computeCapability(device));
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
}
