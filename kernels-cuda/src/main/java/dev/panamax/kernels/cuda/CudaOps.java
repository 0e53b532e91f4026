package dev.panamax.kernels.cuda;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The "cuda" backend: every operation is a CUDA kernel (committed PTX, see {@code src/main/cuda})
 * launched on one stream of one device through JCuda's driver API.
 *
 * <p>Device tensors are ordinary {@link Tensor}s on {@code Device("cuda", ordinal)} whose segment's
 * address is the device pointer; the caller's arena owns them and frees the device memory when it
 * closes. Kernels are queued asynchronously; {@link #copy} to the host and {@link #argmax} wait for
 * the queued work, so results read on the host are always complete. Operations take contiguous
 * device tensors; weights and tables of the dtypes in {@link Kernel#WEIGHT_TYPES} have kernels,
 * others throw {@link UnsupportedOperationException} naming the dtype.
 */
public final class CudaOps implements Ops {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private boolean closed;
    private final CudaContext cuda;
    private final Arena scratchArena = Arena.ofShared();
    private MemorySegment scratch = MemorySegment.NULL;
    private MemorySegment hostScratch;
    private Rope uploadedRope;
    private MemorySegment ropeFrequencies;

    /**
     * A backend on one CUDA device; check {@link CudaOpsProvider#unavailableReason()} first.
     *
     * @param ordinal the device's index, 0 for the first GPU
     */
    public CudaOps(int ordinal) {
        cuda = new CudaContext(ordinal);
        hostScratch = Arena.ofAuto().allocate(4096, 64);
    }

    @Override
    public String name() {
        return "cuda";
    }

    /**
     * The device this backend computes on.
     *
     * @return {@code Device("cuda", ordinal)}, the device of the tensors it allocates
     */
    public Device device() {
        return cuda.device;
    }

    /**
     * The device's size, for sizing benchmarks and tests.
     *
     * @return its number of streaming multiprocessors
     */
    public int multiprocessors() {
        return cuda.multiprocessors;
    }

    @Override
    public Tensor allocate(Arena arena, DType dtype, long... shape) {
        cuda.makeCurrent();
        long numel = 1;
        for (long s : shape) {
            numel = Math.multiplyExact(numel, s);
        }
        MemorySegment memory = cuda.allocate(arena, dtype.byteSize(numel));
        return Tensor.wrap(memory, 0, dtype, cuda.device, shape);
    }

    @Override
    public Tensor upload(Arena arena, Tensor host) {
        if (host.device().equals(cuda.device)) {
            return host;
        }
        host(op("upload"), "host", host);
        Tensor device = allocate(arena, host.dtype(), host.shape());
        cuda.upload(contiguousHost(host).data(), address(device));
        return device;
    }

    /** Waits for every queued kernel (for timing; results copied to the host are complete anyway). */
    public void synchronize() {
        cuda.makeCurrent();
        cuda.synchronize();
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("cuda copy: shapes differ, src " + Arrays.toString(src.shape()) + " and dst "
                    + Arrays.toString(dst.shape()));
        }
        boolean srcHost = src.device().equals(Device.HOST);
        boolean dstHost = dst.device().equals(Device.HOST);
        if (srcHost && dstHost) {
            dst.copyFrom(src);
            return;
        }
        cuda.makeCurrent();
        boolean same = src.dtype() == dst.dtype();
        if (!same) {
            convertible("src", src);
            convertible("dst", dst);
        }
        if (!srcHost && !dstHost) {
            long s = address(onDevice("copy", "src", src));
            long d = address(onDevice("copy", "dst", dst));
            if (same) {
                cuda.copyOnDevice(s, d, src.byteSize());
            } else {
                convert(s, src.dtype(), d, dst.dtype(), src.numel());
            }
        } else if (srcHost) {
            long d = address(onDevice("copy", "dst", dst));
            MemorySegment bytes = contiguousHost(host("cuda copy", "src", src)).data();
            if (same) {
                cuda.upload(bytes, d);
            } else {
                long staged = scratch(bytes.byteSize());
                cuda.upload(bytes, staged);
                convert(staged, src.dtype(), d, dst.dtype(), src.numel());
            }
        } else {
            long s = address(onDevice("copy", "src", src));
            host("cuda copy", "dst", dst);
            Tensor target = dst.isContiguous() ? dst : Tensor.allocate(Arena.ofAuto(), dst.dtype(), dst.shape());
            if (same) {
                cuda.download(s, target.data());
            } else {
                long staged = scratch(target.byteSize());
                convert(s, src.dtype(), staged, dst.dtype(), src.numel());
                cuda.download(staged, target.data());
            }
            if (target != dst) {
                dst.copyFrom(target);
            }
        }
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor out) {
        String op = op("matmul");
        f32(op, "x", x);
        f32(op, "out", out);
        onDevice(op, "w", w);
        if (w.rank() != 2) {
            throw new IllegalArgumentException(op + ": w must be [N, K], got " + Arrays.toString(w.shape()));
        }
        long n = w.size(0);
        long k = w.size(1);
        long m = x.numel() / Math.max(k, 1);
        if (x.size(-1) != k || out.size(-1) != n || out.numel() != m * n) {
            throw new IllegalArgumentException(op + ": x " + Arrays.toString(x.shape()) + " · w" + Arrays.toString(w.shape())
                    + "ᵀ does not fit out " + Arrays.toString(out.shape()));
        }
        if (m == 0 || n == 0) {
            return;
        }
        DType type = w.dtype();
        long rowBytes = type.byteSize(k);
        if (m < Launch.MATVEC_MAX_ROWS) {
            cuda.launch(Kernel.matvec(type), Launch.matvec(m, n), address(x), address(w), rowBytes, address(out),
                    (int) n, Math.toIntExact(k));
        } else if (type == DType.F16 || type == DType.BF16) {
            cuda.launch(Kernel.matmul(type), Launch.tiles(m, n, true), address(x), address(w), address(out),
                    Math.toIntExact(m), Math.toIntExact(n), Math.toIntExact(k));
        } else {
            cuda.launch(Kernel.matmul(type), Launch.tiles(m, n, false), address(x), address(w), rowBytes, address(out),
                    Math.toIntExact(m), Math.toIntExact(n), Math.toIntExact(k));
        }
    }

    @Override
    public void embed(Tensor table, int[] ids, Tensor out) {
        String op = op("embed");
        onDevice(op, "table", table);
        f32(op, "out", out);
        if (table.rank() != 2 || out.size(-1) != table.size(1) || out.numel() != (long) ids.length * table.size(1)) {
            throw new IllegalArgumentException(op + ": table " + Arrays.toString(table.shape()) + " and " + ids.length
                    + " ids do not fit out " + Arrays.toString(out.shape()));
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= table.size(0)) {
                throw new IndexOutOfBoundsException(op + ": id " + ids[i] + " at " + i + " is outside [0, " + table.size(0) + ")");
            }
        }
        if (ids.length == 0) {
            return;
        }
        Kernel kernel = Kernel.embed(table.dtype());
        long idsAt = scratch(4L * ids.length);
        MemorySegment staged = hostScratch(4L * ids.length);
        MemorySegment.copy(ids, 0, staged, INT, 0, ids.length);
        cuda.upload(staged.asSlice(0, 4L * ids.length), idsAt);
        cuda.launch(kernel, Launch.rows(ids.length), address(table), table.dtype().byteSize(table.size(1)), idsAt,
                address(out), Math.toIntExact(table.size(1)));
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        String op = op("rmsNorm");
        int d = rowNorm(op, x, weight, null, out);
        if (x.numel() > 0) {
            cuda.launch(Kernel.RMS_NORM, Launch.rows(x.numel() / d), address(x), address(weight), address(out), d, eps);
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out) {
        String op = op("layerNorm");
        int d = rowNorm(op, x, weight, bias, out);
        if (x.numel() > 0) {
            cuda.launch(Kernel.LAYER_NORM, Launch.rows(x.numel() / d), address(x), weight == null ? 0L : address(weight),
                    bias == null ? 0L : address(bias), address(out), d, eps);
        }
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        String op = op("softmax");
        unary(op, x, out);
        int d = Math.toIntExact(x.size(-1));
        if (x.numel() > 0) {
            cuda.launch(Kernel.SOFTMAX, Launch.rows(x.numel() / d), address(x), address(out), d);
        }
    }

    @Override
    public void rope(Tensor x, int startPos, Rope rope, Tensor out) {
        String op = op("rope");
        unary(op, x, out);
        if (x.rank() != 3 || rope.dims() > x.size(2) || startPos < 0) {
            throw new IllegalArgumentException(op + ": x must be [T, H, D] with D >= " + rope.dims() + " and startPos >= 0, got "
                    + Arrays.toString(x.shape()) + " at " + startPos);
        }
        if (x.numel() == 0) {
            return;
        }
        if (!rope.equals(uploadedRope)) {
            float[] f = rope.inverseFrequencies();
            ropeFrequencies = cuda.allocate(scratchArena, 4L * f.length);
            cuda.upload(MemorySegment.ofArray(f), ropeFrequencies.address());
            uploadedRope = rope;
        }
        int t = Math.toIntExact(x.size(0));
        int h = Math.toIntExact(x.size(1));
        int d = Math.toIntExact(x.size(2));
        int pairs = rope.dims() / 2;
        Kernel kernel = rope.layout() == Rope.Layout.NEOX ? Kernel.ROPE_NEOX : Kernel.ROPE_INTERLEAVED;
        cuda.launch(kernel, Launch.strided((long) t * h * Math.max(pairs, d - 2 * pairs)), address(x), address(out), t, h, d,
                startPos, ropeFrequencies.address(), pairs);
    }

    @Override
    public void silu(Tensor x, Tensor out) {
        elementwise(Kernel.SILU, x, out);
    }

    @Override
    public void gelu(Tensor x, Gelu approximation, Tensor out) {
        elementwise(approximation == Gelu.TANH ? Kernel.GELU_TANH : Kernel.GELU_ERF, x, out);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        String op = op("swiglu");
        unary(op, gate, out);
        unary(op, up, out);
        if (out.numel() > 0) {
            cuda.launch(Kernel.SWIGLU, Launch.strided(out.numel()), address(gate), address(up), address(out), out.numel());
        }
    }

    /** No CUDA kernel yet: see docs/cuda.md. */
    @Override
    public void headMatmul(Tensor x, Tensor w, Tensor out) {
        throw new UnsupportedOperationException(op("headMatmul") + " has no CUDA kernel yet; use the cpu backend");
    }

    /** No CUDA kernel yet (none can be tested here without a GPU): see docs/cuda.md. */
    @Override
    public void geglu(Tensor gate, Tensor up, Gelu approximation, Tensor out) {
        throw new UnsupportedOperationException(op("geglu") + " has no CUDA kernel yet; use the cpu backend");
    }

    /** No CUDA kernel yet: see docs/cuda.md. */
    @Override
    public void clampedSwiglu(Tensor gate, Tensor up, float alpha, float limit, Tensor out) {
        throw new UnsupportedOperationException(op("clampedSwiglu") + " has no CUDA kernel yet; use the cpu backend");
    }

    /** No CUDA kernel yet: see docs/cuda.md. */
    @Override
    public void softcap(Tensor x, float cap, Tensor out) {
        throw new UnsupportedOperationException(op("softcap") + " has no CUDA kernel yet; use the cpu backend");
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        broadcast(Kernel.ADD, "add", a, b, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        broadcast(Kernel.MUL, "mul", a, b, out);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        unary(op("scale"), x, out);
        if (x.numel() > 0) {
            cuda.launch(Kernel.SCALE, Launch.strided(x.numel()), address(x), s, address(out), x.numel());
        }
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, int startPos, float scale, Attention options,
            Tensor out) {
        String op = op("attention");
        unsupported(op, options);
        f32(op, "q", q);
        f32(op, "out", out);
        onDevice(op, "kCache", kCache);
        onDevice(op, "vCache", vCache);
        if (q.rank() != 3 || kCache.rank() != 3 || !Arrays.equals(q.shape(), out.shape())
                || !Arrays.equals(kCache.shape(), vCache.shape()) || kCache.dtype() != vCache.dtype()
                || kCache.size(2) != q.size(2) || q.size(1) % kCache.size(1) != 0
                || startPos < 0 || startPos + q.size(0) > kCache.size(0)) {
            throw new IllegalArgumentException(op + ": q " + q.describe() + ", k " + kCache.describe() + ", v "
                    + vCache.describe() + ", out " + out.describe() + " at startPos " + startPos
                    + " (need q, out [T, Hq, D]; k, v [S, Hkv, D] with Hq % Hkv == 0 and startPos + T <= S)");
        }
        if (q.size(2) > Launch.MAX_HEAD_DIM) {
            throw new UnsupportedOperationException(op + ": head dimension " + q.size(2) + " exceeds the kernel's "
                    + Launch.MAX_HEAD_DIM);
        }
        Kernel kernel = switch (kCache.dtype()) {
            case F32 -> Kernel.ATTENTION_F32;
            case F16 -> Kernel.ATTENTION_F16;
            default -> throw new UnsupportedOperationException(op + " has no CUDA kernel for a KV cache of dtype "
                    + kCache.dtype() + "; supported: F32, F16");
        };
        if (q.numel() == 0) {
            return;
        }
        cuda.launch(kernel, Launch.attention(q.size(1), q.size(0)), address(q), address(kCache), address(vCache), address(out),
                (int) q.size(1), (int) kCache.size(1), (int) q.size(2), startPos, scale);
    }

    /** The CUDA kernel is plain causal attention: each option it lacks is refused by name (docs/cuda.md). */
    static void unsupported(String op, Attention options) {
        if (options == null) {
            throw new IllegalArgumentException(op + ": options are null (Attention.CAUSAL for none)");
        }
        if (options.window() != 0) {
            throw new UnsupportedOperationException(op + ": option window (sliding window of " + options.window()
                    + " positions) has no CUDA kernel yet; use the cpu backend");
        }
        if (options.softCap() != 0) {
            throw new UnsupportedOperationException(op + ": option softCap (" + options.softCap()
                    + ") has no CUDA kernel yet; use the cpu backend");
        }
        if (options.sinks() != null) {
            throw new UnsupportedOperationException(op + ": option sinks has no CUDA kernel yet; use the cpu backend");
        }
        if (options.bidirectional()) {
            throw new UnsupportedOperationException(op + ": option bidirectional (an encoder's attention) has no CUDA kernel yet;"
                    + " use the cpu backend");
        }
    }

    @Override
    public void argmax(Tensor x, int[] out) {
        String op = op("argmax");
        f32(op, "x", x);
        int d = Math.toIntExact(x.size(-1));
        long rows = d == 0 ? 0 : x.numel() / d;
        if (out.length != rows || d == 0) {
            throw new IllegalArgumentException(op + ": x " + Arrays.toString(x.shape()) + " has " + rows
                    + " non-empty rows but out holds " + out.length);
        }
        if (rows == 0) {
            return;
        }
        long result = scratch(4L * rows);
        cuda.launch(Kernel.ARGMAX, Launch.rows(rows), address(x), result, d);
        MemorySegment host = hostScratch(4L * rows).asSlice(0, 4L * rows);
        cuda.download(result, host);
        MemorySegment.copy(host, INT, 0, out, 0, out.length);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return; // idempotent, as every close in Panamax
        }
        closed = true;
        scratchArena.close();
        cuda.close();
    }

    // ---------------------------------------------------------------- helpers

    private void elementwise(Kernel kernel, Tensor x, Tensor out) {
        unary(op(kernel.entry), x, out);
        if (x.numel() > 0) {
            cuda.launch(kernel, Launch.strided(x.numel()), address(x), address(out), x.numel());
        }
    }

    private void broadcast(Kernel kernel, String name, Tensor a, Tensor b, Tensor out) {
        String op = op(name);
        unary(op, a, out);
        f32(op, "b", b);
        boolean row = b.numel() == a.size(-1) && b.size(-1) == a.size(-1);
        if (!Arrays.equals(a.shape(), b.shape()) && !row) {
            throw new IllegalArgumentException(op + ": b " + Arrays.toString(b.shape()) + " is neither the shape of a "
                    + Arrays.toString(a.shape()) + " nor one row of it");
        }
        if (a.numel() > 0) {
            cuda.launch(kernel, Launch.strided(a.numel()), address(a), address(b), address(out), a.numel(),
                    Math.max(b.numel(), 1));
        }
    }

    private void convert(long src, DType from, long dst, DType to, long n) {
        if (n > 0) {
            cuda.launch(Kernel.CONVERT, Launch.strided(n), src, from.ggmlId(), dst, to.ggmlId(), n);
        }
    }

    private int rowNorm(String op, Tensor x, Tensor weight, Tensor bias, Tensor out) {
        unary(op, x, out);
        int d = Math.toIntExact(x.size(-1));
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p != null) {
                f32(op, p == weight ? "weight" : "bias", p);
                if (p.numel() != d) {
                    throw new IllegalArgumentException(op + ": " + (p == weight ? "weight " : "bias ")
                            + Arrays.toString(p.shape()) + " must have " + d + " entries");
                }
            }
        }
        if (d == 0 && x.numel() > 0) {
            throw new IllegalArgumentException(op + ": rows of x are empty");
        }
        return d;
    }

    private void unary(String op, Tensor x, Tensor out) {
        f32(op, "x", x);
        f32(op, "out", out);
        if (!Arrays.equals(x.shape(), out.shape())) {
            throw new IllegalArgumentException(op + ": x " + Arrays.toString(x.shape()) + " and out "
                    + Arrays.toString(out.shape()) + " differ");
        }
    }

    private void f32(String op, String role, Tensor t) {
        onDevice(op, role, t);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": " + role + " must be F32, got " + t.dtype());
        }
    }

    /** Checks that {@code t} is a live, contiguous tensor on this backend's device. */
    private Tensor onDevice(String op, String role, Tensor t) {
        if (!t.device().equals(cuda.device)) {
            throw new IllegalArgumentException(op + ": " + role + " is on " + t.device() + ", not " + cuda.device
                    + "; allocate it with this backend or upload/copy it first");
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(op + ": " + role + "'s memory was freed (its arena is closed)");
        }
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(op + ": " + role + " must be contiguous, got shape "
                    + Arrays.toString(t.shape()) + " strides " + Arrays.toString(t.strides()));
        }
        cuda.makeCurrent();
        return t;
    }

    private static Tensor host(String op, String role, Tensor t) {
        if (!t.device().equals(Device.HOST)) {
            throw new IllegalArgumentException(op + ": " + role + " is on " + t.device() + ", which this backend cannot read");
        }
        return t;
    }

    private static void convertible(String role, Tensor t) {
        DType d = t.dtype();
        if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new UnsupportedOperationException("cuda copy converts between F32, F16 and BF16 only; " + role + " is " + d);
        }
    }

    private static Tensor contiguousHost(Tensor t) {
        return t.isContiguous() ? t : t.contiguous(Arena.ofAuto());
    }

    private static long address(Tensor t) {
        return t.segment().address() + t.byteOffset();
    }

    private static String op(String name) {
        return "cuda " + name;
    }

    /** Device scratch of at least {@code bytes}, reused across calls (only while no queued kernel reads it). */
    private long scratch(long bytes) {
        if (scratch.byteSize() < bytes) {
            cuda.synchronize(); // kernels queued earlier may still read the old scratch
            scratch = cuda.allocate(scratchArena, Math.max(bytes, 2 * scratch.byteSize()));
        }
        return scratch.address();
    }

    private MemorySegment hostScratch(long bytes) {
        if (hostScratch.byteSize() < bytes) {
            hostScratch = Arena.ofAuto().allocate(Math.max(bytes, 2 * hostScratch.byteSize()), 64);
        }
        return hostScratch;
    }
}
