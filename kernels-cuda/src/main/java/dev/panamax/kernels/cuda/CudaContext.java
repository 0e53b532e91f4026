package dev.panamax.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.panamax.tensor.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * One device's primary context, a stream, the loaded PTX modules and a pinned staging buffer: the
 * only class that calls the driver. Device memory is handed out as {@link MemorySegment}s whose
 * address is the device pointer and whose cleanup (run when the owning arena closes) frees it.
 * The context is released when the backend is closed and the last allocation is freed.
 */
final class CudaContext implements AutoCloseable {
    /** Half of the pinned staging buffer: copies alternate halves so filling one overlaps the DMA of the other. */
    private static final long STAGING_HALF = 16L << 20;

    final Device device;
    final int multiprocessors;
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final EnumMap<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    private final Pointer pinned = new Pointer();
    private final MemorySegment pinnedMemory;
    private final CUevent[] stagingDone = {new CUevent(), new CUevent()};
    private final AtomicLong liveAllocations = new AtomicLong();
    private volatile boolean closed;
    private boolean contextReleased;

    CudaContext(int ordinal) {
        JCudaDriver.setExceptionsEnabled(false);
        check("cuInit", cuInit(0));
        check("cuDeviceGet", cuDeviceGet(cuDevice, ordinal));
        check("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain(context, cuDevice));
        check("cuCtxSetCurrent", cuCtxSetCurrent(context));
        int[] sms = new int[1];
        check("cuDeviceGetAttribute", cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, cuDevice));
        multiprocessors = sms[0];
        check("cuStreamCreate", cuStreamCreate(stream, 0));
        check("cuMemAllocHost", cuMemAllocHost(pinned, 2 * STAGING_HALF));
        pinnedMemory = MemorySegment.ofBuffer(pinned.getByteBuffer(0, 2 * STAGING_HALF));
        for (CUevent e : stagingDone) {
            check("cuEventCreate", cuEventCreate(e, 0));
        }
        device = new Device("cuda", ordinal);
    }

    static void check(String call, int result) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call, result, CUresult.stringFor(result));
        }
    }

    /** A driver pointer value for a raw device address. */
    static CUdeviceptr pointer(long address) {
        return new DevicePointer(address);
    }

    /** Binds the context to the calling thread (each Ops call may come from another thread). */
    void makeCurrent() {
        if (closed) {
            throw new IllegalStateException("the cuda backend on " + device + " is closed");
        }
        check("cuCtxSetCurrent", cuCtxSetCurrent(context));
    }

    /** {@code bytes} of zeroed device memory owned by {@code arena}; closing the arena frees it. */
    MemorySegment allocate(Arena arena, long bytes) {
        long size = Math.max(bytes, 1);
        DevicePointer p = new DevicePointer();
        check("cuMemAlloc(" + size + " bytes)", cuMemAlloc(p, size));
        long address = p.address();
        liveAllocations.incrementAndGet();
        try {
            check("cuMemsetD8Async", cuMemsetD8Async(p, (byte) 0, size, stream));
            return MemorySegment.ofAddress(address).reinterpret(size, arena, s -> free(address));
        } catch (RuntimeException e) {
            free(address);
            throw e;
        }
    }

    private void free(long address) {
        synchronized (this) {
            if (contextReleased) {
                return; // the context and all its memory are gone already
            }
            cuCtxSetCurrent(context);
            cuMemFree(pointer(address));
        }
        if (liveAllocations.decrementAndGet() == 0 && closed) {
            releaseContext();
        }
    }

    CUfunction function(Kernel kernel) {
        CUfunction f = functions.get(kernel);
        if (f == null) {
            CUmodule module = modules.computeIfAbsent(kernel.module, name -> {
                CUmodule m = new CUmodule();
                check("cuModuleLoadData(" + name + ".ptx)", cuModuleLoadData(m, Ptx.load(name)));
                return m;
            });
            f = new CUfunction();
            check("cuModuleGetFunction(" + kernel.entry + ")", cuModuleGetFunction(f, module, kernel.entry));
            functions.put(kernel, f);
        }
        return f;
    }

    /**
     * Launches {@code kernel} on the stream. Arguments are {@link Long} (device pointers and 64-bit
     * integers, both passed as 8 bytes), {@link Integer} or {@link Float}, in the kernel's order.
     */
    void launch(Kernel kernel, Launch config, Object... args) {
        kernel.checkArguments(args);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case Long l -> Pointer.to(new long[] {l});
                case Integer n -> Pointer.to(new int[] {n});
                case Float f -> Pointer.to(new float[] {f});
                default -> throw new IllegalArgumentException("kernel argument " + i + " of " + kernel.entry + ": " + args[i]);
            };
        }
        check("cuLaunchKernel(" + kernel.entry + ")", cuLaunchKernel(function(kernel), config.gridX(), config.gridY(), 1,
                config.block(), 1, 1, 0, stream, Pointer.to(params), null));
    }

    /** Copies host bytes to device memory through the pinned buffer; returns when the copy is done. */
    void upload(MemorySegment host, long deviceAddress) {
        long n = host.byteSize();
        int half = 0;
        for (long done = 0; done < n; done += STAGING_HALF, half ^= 1) {
            long len = Math.min(STAGING_HALF, n - done);
            check("cuEventSynchronize", cuEventSynchronize(stagingDone[half]));
            MemorySegment.copy(host, done, pinnedMemory, half * STAGING_HALF, len);
            check("cuMemcpyHtoDAsync", cuMemcpyHtoDAsync(pointer(deviceAddress + done),
                    pinned.withByteOffset(half * STAGING_HALF), len, stream));
            check("cuEventRecord", cuEventRecord(stagingDone[half], stream));
        }
        synchronize();
    }

    /** Copies device memory to host bytes through the pinned buffer, after the work queued before it. */
    void download(long deviceAddress, MemorySegment host) {
        long n = host.byteSize();
        for (long done = 0; done < n; done += STAGING_HALF) {
            long len = Math.min(STAGING_HALF, n - done);
            check("cuMemcpyDtoHAsync", cuMemcpyDtoHAsync(pinned, pointer(deviceAddress + done), len, stream));
            synchronize();
            MemorySegment.copy(pinnedMemory, 0, host, done, len);
        }
    }

    void copyOnDevice(long src, long dst, long bytes) {
        check("cuMemcpyDtoDAsync", cuMemcpyDtoDAsync(pointer(dst), pointer(src), bytes, stream));
    }

    void synchronize() {
        check("cuStreamSynchronize", cuStreamSynchronize(stream));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        cuCtxSetCurrent(context);
        cuStreamSynchronize(stream);
        for (CUmodule m : modules.values()) {
            cuModuleUnload(m);
        }
        for (CUevent e : stagingDone) {
            cuEventDestroy(e);
        }
        cuStreamDestroy(stream);
        cuMemFreeHost(pinned);
        closed = true;
        if (liveAllocations.get() == 0) {
            releaseContext();
        }
    }

    private synchronized void releaseContext() {
        if (!contextReleased) {
            contextReleased = true;
            cuDevicePrimaryCtxRelease(cuDevice);
        }
    }
}
