package dev.panamax.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Formats tensors the way PyTorch prints them: {@code tensor([[1.0000, 2.5000], ...])}, with
 * columns of equal width, and only the first and last three entries of each dimension when the
 * tensor has more than 1000 elements.
 */
final class TensorPrinter {
    private static final int SUMMARIZE_ABOVE = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final int LINE_WIDTH = 80;

    private TensorPrinter() {
    }

    static String print(Tensor t) {
        String suffix = t.dtype() == DType.F32 || t.dtype() == DType.I64 ? "" : ", dtype=" + t.dtype();
        if (t.device() != Device.HOST) {
            return "tensor(<on " + t.device() + ">, shape=" + java.util.Arrays.toString(t.shape()) + suffix + ")";
        }
        if (!t.isAlive()) {
            return "tensor(<freed>, shape=" + java.util.Arrays.toString(t.shape()) + suffix + ")";
        }
        if (t.dtype().isQuantized()) {
            return "tensor(<" + t.dtype() + " blocks>, shape=" + java.util.Arrays.toString(t.shape()) + suffix + ")";
        }
        boolean summarize = t.numel() > SUMMARIZE_ABOVE;
        long[] shape = t.shape();
        if (t.numel() == 0) {
            return "tensor([], size=" + java.util.Arrays.toString(shape) + suffix + ")";
        }
        List<Double> shown = new ArrayList<>();
        collect(t, new long[shape.length], 0, summarize, shown);
        Formatter f = Formatter.choose(shown, !t.dtype().isFloatingPoint());
        int width = 0;
        for (double v : shown) {
            width = Math.max(width, f.format(v).length());
        }
        StringBuilder sb = new StringBuilder("tensor(");
        append(sb, t, new long[shape.length], 0, summarize, f, width, "tensor(".length());
        return sb.append(suffix).append(')').toString();
    }

    private static void collect(Tensor t, long[] index, int dim, boolean summarize, List<Double> out) {
        if (dim == index.length) {
            out.add(t.getDouble(index));
            return;
        }
        for (long i : visible(t.size(dim), summarize)) {
            if (i >= 0) {
                index[dim] = i;
                collect(t, index, dim + 1, summarize, out);
            }
        }
    }

    /** Indices to print along a dimension; -1 marks the "..." gap. */
    private static long[] visible(long size, boolean summarize) {
        if (!summarize || size <= 2 * EDGE_ITEMS) {
            long[] all = new long[(int) size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            return all;
        }
        return new long[] {0, 1, 2, -1, size - 3, size - 2, size - 1};
    }

    private static void append(StringBuilder sb, Tensor t, long[] index, int dim, boolean summarize, Formatter f, int width,
            int indent) {
        if (dim == index.length) {
            String s = f.format(t.getDouble(index));
            sb.append(" ".repeat(width - s.length())).append(s);
            return;
        }
        sb.append('[');
        long[] items = visible(t.size(dim), summarize);
        boolean innermost = dim == index.length - 1;
        int perLine = Math.max(1, (LINE_WIDTH - indent) / (width + 2));
        for (int k = 0; k < items.length; k++) {
            if (k > 0) {
                if (innermost) {
                    sb.append(k % perLine == 0 ? ",\n" + " ".repeat(indent + dim + 1) : ", ");
                } else {
                    sb.append(',').append("\n".repeat(index.length - dim - 1)).append(" ".repeat(indent + dim + 1));
                }
            }
            if (items[k] < 0) {
                sb.append(innermost ? " ..." : "..."); // PyTorch pads the gap like an element
                continue;
            }
            index[dim] = items[k];
            append(sb, t, index, dim + 1, summarize, f, width, indent);
        }
        sb.append(']');
    }

    /** PyTorch's choice of number format: integers as "3.", fixed with 4 decimals, or scientific. */
    private record Formatter(boolean integral, boolean scientific, boolean integerType) {
        static Formatter choose(List<Double> values, boolean integerType) {
            boolean integral = true;
            double maxAbs = 0;
            double minAbs = Double.POSITIVE_INFINITY;
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    continue;
                }
                if (v != Math.rint(v)) {
                    integral = false;
                }
                double a = Math.abs(v);
                if (a != 0) {
                    maxAbs = Math.max(maxAbs, a);
                    minAbs = Math.min(minAbs, a);
                }
            }
            boolean scientific = maxAbs > 0 && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!integral && minAbs < 1e-4));
            if (integral && maxAbs <= 1e8) {
                scientific = false;
            }
            return new Formatter(integral, scientific, integerType);
        }

        String format(double v) {
            if (Double.isNaN(v)) {
                return "nan";
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? "inf" : "-inf";
            }
            if (integerType) {
                return Long.toString((long) v);
            }
            if (scientific) {
                return String.format(Locale.ROOT, "%.4e", v);
            }
            if (integral) {
                return String.format(Locale.ROOT, "%.0f.", v);
            }
            return String.format(Locale.ROOT, "%.4f", v);
        }
    }
}
