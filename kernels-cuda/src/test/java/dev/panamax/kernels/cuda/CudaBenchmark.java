package dev.panamax.kernels.cuda;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * A small benchmark for GPU sessions (scripts/gpu-session.sh): F16/BF16 matmul throughput, quantized
 * matrix-vector bandwidth next to a device-to-device copy's, and decode attention. Weights are random
 * bytes (timing does not depend on their values) larger than the L2 cache.
 */
public final class CudaBenchmark {
    private CudaBenchmark() {
    }

    public static void main(String[] args) {
        new CudaOpsProvider().unavailableReason().ifPresent(r -> {
            throw new IllegalStateException("cuda backend unavailable: " + r);
        });
        try (CudaOps ops = new CudaOps(0); Arena arena = Arena.ofShared()) {
            System.out.printf("%-44s %12s %12s%n", "benchmark", "ms/iter", "rate");
            double copy = copyBandwidth(ops, arena);
            for (DType t : new DType[] {DType.F16, DType.BF16}) {
                matmul(ops, arena, t, 4096, 4096, 4096);
            }
            for (DType t : new DType[] {DType.F16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K}) {
                matvec(ops, arena, t, 32768, 8192, copy);
            }
            attention(ops, arena, 32, 8, 128, 4096);
        }
    }

    private static Tensor random(CudaOps ops, Arena arena, DType type, long... shape) {
        Tensor host = Tensor.allocate(arena, type, shape);
        MemorySegment m = host.data();
        Random r = new Random(42);
        for (long i = 0; i + 8 <= m.byteSize(); i += 8) {
            // small random values in every 16-bit lane: finite as F16/BF16 scales and weights
            long v = r.nextLong() & 0x3BFF_3BFF_3BFF_3BFFL;
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, i, v);
        }
        return ops.upload(arena, host);
    }

    private static double time(CudaOps ops, Runnable body) {
        body.run();
        ops.synchronize();
        int iters = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            body.run();
            iters++;
            ops.synchronize();
            elapsed = System.nanoTime() - start;
        } while (elapsed < 1_000_000_000L && iters < 1000);
        return elapsed / 1e6 / iters;
    }

    private static double copyBandwidth(CudaOps ops, Arena arena) {
        long n = 256L << 20;
        Tensor a = random(ops, arena, DType.F32, n);
        Tensor b = ops.allocate(arena, DType.F32, n);
        double ms = time(ops, () -> ops.copy(a, b));
        double gbs = 2.0 * a.byteSize() / (ms * 1e6);
        System.out.printf("%-44s %12.3f %9.1f GB/s%n", "memcpy device-to-device 1 GiB (read+write)", ms, gbs);
        return gbs;
    }

    private static void matmul(CudaOps ops, Arena arena, DType type, int m, int n, int k) {
        Tensor x = random(ops, arena, DType.F16, m, k);
        Tensor x32 = ops.allocate(arena, DType.F32, m, k);
        ops.copy(x, x32);
        Tensor w = random(ops, arena, type, n, k);
        Tensor out = ops.allocate(arena, DType.F32, m, n);
        double ms = time(ops, () -> ops.matmul(x32, w, out));
        System.out.printf("%-44s %12.3f %9.1f TFLOP/s%n", "matmul " + type + " " + m + "x" + n + "x" + k, ms,
                2.0 * m * n * k / (ms * 1e9));
    }

    private static void matvec(CudaOps ops, Arena arena, DType type, int n, int k, double copyGbs) {
        Tensor x = ops.allocate(arena, DType.F32, 1, k);
        ops.copy(Tensor.allocate(arena, DType.F32, 1, k).fill(0.5), x);
        Tensor w = random(ops, arena, type, n, k);
        Tensor out = ops.allocate(arena, DType.F32, 1, n);
        double ms = time(ops, () -> ops.matmul(x, w, out));
        double gbs = w.byteSize() / (ms * 1e6);
        System.out.printf("%-44s %12.3f %9.1f GB/s (%.0f%% of memcpy)%n", "matvec " + type + " " + n + "x" + k, ms, gbs,
                100 * gbs / copyGbs);
    }

    private static void attention(CudaOps ops, Arena arena, int hq, int hkv, int d, int context) {
        Tensor q = ops.allocate(arena, DType.F32, 1, hq, d);
        ops.copy(Tensor.allocate(arena, DType.F32, 1, hq, d).fill(0.1), q);
        Tensor k = random(ops, arena, DType.F16, context, hkv, d);
        Tensor v = random(ops, arena, DType.F16, context, hkv, d);
        Tensor out = ops.allocate(arena, DType.F32, 1, hq, d);
        double ms = time(ops, () -> ops.attention(q, k, v, context - 1, (float) (1 / Math.sqrt(d)), out));
        System.out.printf("%-44s %12.3f %9.1f GB/s%n", "attention decode F16 ctx " + context + " Hq" + hq + " Hkv" + hkv
                + " D" + d, ms, 2.0 * k.byteSize() / (ms * 1e6));
    }
}
