package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorClosedException;
import java.util.Arrays;

/** Argument checks shared by both CPU backends; every message names the operation and the shapes. */
final class Checks {
    private Checks() {
    }

    /** Stands for "a thread other than the caller": a confined segment is accessible by its owner only. */
    private static final Thread ANOTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    /** A live, contiguous host tensor of rank at least one. */
    static void usable(String op, String role, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + role + " is null");
        }
        if (t.device() != Device.HOST) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " is not in host memory");
        }
        if (!t.isAlive()) {
            throw new TensorClosedException(op + " on " + role + " " + t.describe());
        }
        shareable(op, role, t);
        if (t.rank() == 0) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " needs at least one dimension");
        }
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " with strides "
                    + Arrays.toString(t.strides()) + " is not contiguous");
        }
    }

    /** The tensor's memory (if {@code t} is not null) is still open and readable by other threads (other checks are left to the kernel). */
    static void alive(String op, Tensor t) {
        if (t != null && !t.isAlive()) {
            throw new TensorClosedException(op + " on " + t.describe());
        }
        if (t != null) {
            shareable(op, "a tensor", t);
        }
    }

    /** {@link #alive(String, Tensor)} for each tensor, in order. */
    static void alive(String op, Tensor... tensors) {
        for (Tensor t : tensors) {
            alive(op, t);
        }
    }

    /**
     * Memory of a confined arena can be touched by its owner thread only, so a multi-threaded kernel
     * would fail with WrongThreadException, or not, depending on whether the work was big enough to
     * hand out. Both host backends refuse it up front, whatever the size.
     */
    static void shareable(String op, String role, Tensor t) {
        if (!t.segment().isAccessibleBy(ANOTHER_THREAD)) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " lives in a confined arena, which "
                    + "only its owner thread may touch; the backends' kernels run on several threads: allocate with "
                    + "Arena.ofShared() or Arena.ofAuto(), or ops.allocate(...)");
        }
    }

    /**
     * {@code out} must not share memory with {@code in}: kernels that read an input while writing
     * the output (matmul, attention, embed) would read their own partial results.
     */
    static void disjoint(String op, String outRole, Tensor out, String inRole, Tensor in) {
        if (out == null || in == null) {
            return;
        }
        long a = out.segment().address() + out.byteOffset();
        long b = in.segment().address() + in.byteOffset();
        if (a < b + in.byteSize() && b < a + out.byteSize()) {
            throw new IllegalArgumentException(op + ": " + outRole + " " + out.describe() + " overlaps " + inRole + " "
                    + in.describe() + " in memory; " + op + " cannot write its output over its input");
        }
    }

    /** {@link #disjoint} for an output and the inputs of a matrix multiplication. */
    static void matmulOperands(Tensor x, Tensor w, Tensor out) {
        alive("matmul", x); // one at a time: a varargs array per matmul where C2 does not remove it (issue 18 target 6)
        alive("matmul", w);
        alive("matmul", out);
        disjoint("matmul", "out", out, "x", x);
        disjoint("matmul", "out", out, "w", w);
    }

    /** A usable F32 tensor. */
    static void f32(String op, String role, Tensor t) {
        usable(op, role, t);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": " + role + " must be F32, got " + t.describe());
        }
    }

    /** Equal shapes. */
    static void sameShape(String op, String roleA, Tensor a, String roleB, Tensor b) {
        if (!equalShapes(a, b)) {
            throw new IllegalArgumentException(op + ": " + roleA + " " + a.describe() + " and " + roleB + " "
                    + b.describe() + " must have the same shape");
        }
    }

    /** Equal shapes, compared dimension by dimension: {@link Tensor#shape()} copies, and checks run once per token. */
    static boolean equalShapes(Tensor a, Tensor b) {
        if (a.rank() != b.rank()) {
            return false;
        }
        for (int i = 0; i < a.rank(); i++) {
            if (a.size(i) != b.size(i)) {
                return false;
            }
        }
        return true;
    }

    /** The last dimension, as an int. */
    static int cols(String op, Tensor t) {
        long c = t.size(-1);
        if (c > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException(op + ": rows of " + t.describe() + " are too long");
        }
        return (int) c;
    }

    /** The number of rows (all dimensions but the last), as an int. */
    static int rows(String op, Tensor t) {
        long cols = t.size(-1);
        long r = cols == 0 ? 0 : t.numel() / cols;
        if (r > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + t.describe() + " has too many rows");
        }
        return (int) r;
    }

    /** {@code b} has the shape of {@code a}, or is one row of it (its element count is {@code a}'s last dimension). */
    static boolean broadcastRow(String op, Tensor a, Tensor b) {
        if (equalShapes(a, b)) {
            return false;
        }
        if (b.size(-1) == a.size(-1) && b.numel() == a.size(-1)) {
            return true;
        }
        throw new IllegalArgumentException(op + ": b " + b.describe() + " must have the shape of a " + a.describe()
                + " or of one row of it");
    }

    /** One of F32, F16, BF16. */
    static void floatType(String op, String role, Tensor t) {
        DType d = t.dtype();
        if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new IllegalArgumentException(op + ": " + role + " must be F32, F16 or BF16, got " + t.describe());
        }
    }

    /** Shapes of {@link dev.panamax.tensor.Ops#attention}; returns nothing, throws on mismatch. */
    static void attention(Tensor q, Tensor k, Tensor v, int startPos, Attention options, Tensor out) {
        String op = "attention";
        f32(op, "q", q);
        usable(op, "kCache", k);
        usable(op, "vCache", v);
        f32(op, "out", out);
        if (q.rank() != 3 || k.rank() != 3) {
            throw new IllegalArgumentException(op + ": q must be [T, Hq, D] and the caches [S, Hkv, D]" + shapes(q, k, v, out, startPos));
        }
        if (k.dtype() != DType.F32 && k.dtype() != DType.F16 || v.dtype() != k.dtype()) {
            throw new IllegalArgumentException(op + ": the caches must both be F32 or both F16" + shapes(q, k, v, out, startPos));
        }
        sameShape(op, "kCache", k, "vCache", v);
        sameShape(op, "q", q, "out", out);
        disjoint(op, "out", out, "kCache", k);
        disjoint(op, "out", out, "vCache", v);
        long hq = q.size(1);
        long hkv = k.size(1);
        if (k.size(2) != q.size(2) || hkv == 0 || hq % hkv != 0) {
            throw new IllegalArgumentException(op + ": head sizes must match and Hq must be a multiple of Hkv" + shapes(q, k, v, out, startPos));
        }
        if (startPos < 0 || startPos + q.size(0) > k.size(0)) {
            throw new IllegalArgumentException(op + ": positions " + startPos + " ... " + (startPos + q.size(0) - 1)
                    + " do not fit the cache" + shapes(q, k, v, out, startPos));
        }
        if (q.numel() > Integer.MAX_VALUE / 4 || k.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": tensors too large" + shapes(q, k, v, out, startPos));
        }
        if (options == null) {
            throw new IllegalArgumentException(op + ": options are null (Attention.CAUSAL for none)" + shapes(q, k, v, out, startPos));
        }
        Tensor sinks = options.sinks();
        if (sinks != null) {
            f32(op, "sinks", sinks);
            if (sinks.rank() != 1 || sinks.size(0) != hq) {
                throw new IllegalArgumentException(op + ": sinks " + sinks.describe() + " must be F32 [Hq] with Hq = " + hq
                        + shapes(q, k, v, out, startPos));
            }
        }
    }

    /** The arguments of an attention call, described only on failure: the checks run once per layer and token. */
    private static String shapes(Tensor q, Tensor k, Tensor v, Tensor out, int startPos) {
        return " (q " + q.describe() + ", kCache " + k.describe() + ", vCache " + v.describe() + ", out " + out.describe()
                + ", startPos " + startPos + ")";
    }

    /** A positive, finite parameter of an element-wise op. */
    static void positiveFinite(String op, String name, float value) {
        if (!(value > 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(op + ": " + name + " must be positive and finite, got " + value);
        }
    }

    /** A finite parameter of an element-wise op. */
    static void finite(String op, String name, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(op + ": " + name + " must be finite, got " + value);
        }
    }
}
