package dev.panamax.kernels.cpu;

import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import java.util.Objects;

/**
 * A validated F32 operation seen as rows: {@code rows x cols} elements with the byte offsets of
 * row {@code r} of the input and output. The factory methods check the arguments of each
 * {@link dev.panamax.tensor.Ops} method for both CPU backends.
 *
 * @param bCols for add and mul, the element count of {@code b} (a whole tensor, or one row)
 */
record RowShape(int rows, int cols, long xOffset, long outOffset, long bCols) {

    long x(int r) {
        return xOffset + 4L * r * cols;
    }

    long out(int r) {
        return outOffset + 4L * r * cols;
    }

    static RowShape unary(String op, Tensor x, Tensor out) {
        checkUnary(op, x, out);
        return new RowShape(Checks.rows(op, x), Checks.cols(op, x), x.byteOffset(), out.byteOffset(), x.numel());
    }

    /**
     * The checks of {@link #unary} without the record: the {@code cpu} backend's hot calls check with these and
     * allocate nothing (a record returned by a method C2 does not inline escapes, 48 bytes a call).
     */
    static void checkUnary(String op, Tensor x, Tensor out) {
        Checks.f32(op, "x", x);
        Checks.f32(op, "out", out);
        Checks.sameShape(op, "x", x, "out", out);
        if (x.numel() > Integer.MAX_VALUE - CpuOps.BLOCK) {
            throw new IllegalArgumentException(op + ": " + x.describe() + " has more than 2^31 elements");
        }
        Checks.rows(op, x);
        Checks.cols(op, x);
    }

    /** {@code a op b -> out}; with {@code broadcast}, b may also be one row of a. */
    static RowShape binary(String op, Tensor a, Tensor b, Tensor out, boolean broadcast) {
        RowShape s = unary(op, a, out);
        return checkBinary(op, a, b, out, broadcast) ? new RowShape(s.rows, s.cols, s.xOffset, s.outOffset, s.cols) : s;
    }

    /** The checks of {@link #binary}; true when b is one row of a, combined with every row. */
    static boolean checkBinary(String op, Tensor a, Tensor b, Tensor out, boolean broadcast) {
        checkUnary(op, a, out);
        Checks.f32(op, "b", b);
        if (broadcast && Checks.broadcastRow(op, a, b)) {
            return true;
        }
        Checks.sameShape(op, "a", a, "b", b);
        return false;
    }

    static RowShape norm(String op, Tensor x, Tensor weight, Tensor bias, Tensor out) {
        checkNorm(op, x, weight, bias, out);
        return unary(op, x, out);
    }

    /** The checks of {@link #norm}. */
    static void checkNorm(String op, Tensor x, Tensor weight, Tensor bias, Tensor out) {
        checkUnary(op, x, out);
        if (op.equals("rmsNorm") && weight == null) {
            throw new IllegalArgumentException(op + ": weight is null");
        }
        checkNormParameter(op, "weight", weight, x);
        checkNormParameter(op, "bias", bias, x);
    }

    private static void checkNormParameter(String op, String role, Tensor p, Tensor x) {
        if (p != null) {
            Checks.f32(op, role, p);
            if (p.rank() != 1 || p.size(0) != x.size(-1)) {
                throw new IllegalArgumentException(op + ": " + role + " " + p.describe() + " must be [" + x.size(-1) + "] for x "
                        + x.describe());
            }
        }
    }

    static void rope(Tensor x, int startPos, Rope rope, Tensor out) {
        String op = "rope";
        checkUnary(op, x, out);
        Objects.requireNonNull(rope, "rope");
        if (x.rank() != 3) {
            throw new IllegalArgumentException(op + ": x must be [T, H, D], got " + x.describe());
        }
        if (rope.dims() > x.size(2)) {
            throw new IllegalArgumentException(op + ": " + rope + " rotates more entries than a head of x " + x.describe()
                    + " has");
        }
        if (startPos < 0 || startPos + x.size(0) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": bad startPos " + startPos + " for x " + x.describe());
        }
    }

    static RowShape argmax(Tensor x, int[] out) {
        String op = "argmax";
        Checks.f32(op, "x", x);
        int rows = Checks.rows(op, x);
        if (out == null || out.length != rows || x.rank() != 2) {
            throw new IllegalArgumentException(op + ": x " + x.describe() + " needs x of rank 2 and out of length "
                    + rows + ", got " + (out == null ? "null" : out.length));
        }
        return new RowShape(rows, Checks.cols(op, x), x.byteOffset(), 0, 0);
    }

    static Gelu gelu(Gelu approximation) {
        if (approximation == null) {
            throw new IllegalArgumentException("gelu: approximation is null");
        }
        return approximation;
    }
}
