package dev.panamax.kernels.cuda;

/** A CUDA driver call failed; the message names the call, the error's name and its code. */
public final class CudaException extends RuntimeException {
    private final int code;

    CudaException(String call, int code, String name) {
        super(call + " failed: " + name + " (" + code + ")");
        this.code = code;
    }

    /** The driver's {@code CUresult}. */
    public int code() {
        return code;
    }
}
