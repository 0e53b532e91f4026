package dev.panamax.kernels.cuda;

import jcuda.driver.CUdeviceptr;

/** A JCuda device pointer convertible to and from the raw address that device tensors carry. */
final class DevicePointer extends CUdeviceptr {
    private static final CUdeviceptr NULL = new CUdeviceptr();

    /** An empty pointer for cuMemAlloc to fill. */
    DevicePointer() {
    }

    /** The pointer to {@code address}. */
    DevicePointer(long address) {
        super(NULL, address);
    }

    /** The device address this pointer holds. */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
