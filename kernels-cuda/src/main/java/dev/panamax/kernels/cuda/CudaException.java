package dev.panamax.kernels.cuda;

/** A CUDA driver call failed; the message names the call, the error's name and its code. */
public final class CudaException extends RuntimeException {
    /** The driver's {@code CUresult}. */
    private final int code;

    CudaException(String call, int code, String name) {
        super(call + " failed: " + name + " (" + code + ")");
        this.code = code;
    }

    /**
     * The error code.
     *
     * @return the driver's {@code CUresult}, e.g. 2 for {@code CUDA_ERROR_OUT_OF_MEMORY}
     */
    public int code() {
        return code;
    }
}
