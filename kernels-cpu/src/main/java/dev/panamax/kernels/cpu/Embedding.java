package dev.panamax.kernels.cpu;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Embedding lookup and float conversions: data movement shared by both CPU backends. */
final class Embedding {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private Embedding() {
    }

    /** See {@link dev.panamax.tensor.Ops#embed}. */
    static void embed(Tensor table, int[] ids, Tensor out) {
        String op = "embed";
        Checks.usable(op, "table", table);
        Checks.f32(op, "out", out);
        Checks.disjoint(op, "out", out, "table", table);
        if (ids == null) {
            throw new IllegalArgumentException(op + ": ids is null");
        }
        if (table.rank() != 2 || out.rank() != 2 || out.size(0) != ids.length || out.size(1) != table.size(1)) {
            throw new IllegalArgumentException(op + ": table " + table.describe() + " and " + ids.length
                    + " ids need out [" + ids.length + ", " + table.size(-1) + "], got " + out.describe());
        }
        long vocab = table.size(0);
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= vocab) {
                throw new IllegalArgumentException(op + ": id " + ids[t] + " at index " + t + " is outside the table "
                        + table.describe());
            }
        }
        int d = Checks.cols(op, table);
        DType type = table.dtype();
        if (!type.isQuantized()) {
            Checks.floatType(op, "table", table);
        }
        MemorySegment tm = table.segment();
        MemorySegment om = out.segment();
        float[] row = type.isQuantized() ? quantizedRow(d) : null;
        for (int t = 0; t < ids.length; t++) {
            long src = table.byteOffset() + type.byteSize((long) ids[t] * d);
            long dst = out.byteOffset() + 4L * t * d;
            if (row != null) {
                Quants.dequantizeRow(type, tm, src, row, 0, d);
                MemorySegment.copy(row, 0, om, F32, dst, d);
            } else {
                convert(tm, src, type, om, dst, DType.F32, d);
            }
        }
    }

    /** Per thread, the last row decoded from a quantized table: a decode step's embedding allocates nothing. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] quantizedRow(int d) {
        float[] row = ROW.get();
        if (row.length < d) {
            row = new float[d];
            ROW.set(row);
        }
        return row;
    }

    /** See {@link dev.panamax.tensor.Ops#copy}: F32, F16 and BF16 in any combination. */
    static void copy(Tensor src, Tensor dst) {
        String op = "copy";
        Checks.usable(op, "src", src);
        Checks.usable(op, "dst", dst);
        Checks.floatType(op, "src", src);
        Checks.floatType(op, "dst", dst);
        if (!Checks.equalShapes(src, dst)) {
            throw new IllegalArgumentException(op + ": src " + src.describe() + " and dst " + dst.describe()
                    + " must have the same shape");
        }
        if (src.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + src.describe() + " is too large");
        }
        convert(src.segment(), src.byteOffset(), src.dtype(), dst.segment(), dst.byteOffset(), dst.dtype(), (int) src.numel());
    }

    /**
     * {@code copy(src, dst.rows(firstRow, src.size(0)))} without that view: checked in place (no shape copies),
     * so that a decode step's writes into the KV cache allocate nothing.
     */
    static void copyRows(Tensor src, Tensor dst, long firstRow) {
        String op = "copyRows";
        Checks.usable(op, "src", src);
        Checks.usable(op, "dst", dst);
        Checks.floatType(op, "src", src);
        Checks.floatType(op, "dst", dst);
        boolean rowsMatch = src.rank() == dst.rank();
        for (int d = 1; rowsMatch && d < src.rank(); d++) {
            rowsMatch = src.size(d) == dst.size(d);
        }
        if (!rowsMatch) {
            throw new IllegalArgumentException(op + ": the rows of src " + src.describe() + " and dst " + dst.describe()
                    + " must have the same shape");
        }
        long rows = src.size(0);
        if (firstRow < 0 || firstRow > dst.size(0) - rows) {
            throw new IndexOutOfBoundsException(op + ": rows " + firstRow + " ... " + (firstRow + rows - 1) + " are outside dst "
                    + dst.describe());
        }
        if (src.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + src.describe() + " is too large");
        }
        long at = dst.byteOffset() + (rows == 0 ? 0 : dst.dtype().byteSize(firstRow * dst.stride(0)));
        convert(src.segment(), src.byteOffset(), src.dtype(), dst.segment(), at, dst.dtype(), (int) src.numel());
    }

    /** Converts {@code n} contiguous values; same types copy bytes (also for overlapping memory). */
    static void convert(MemorySegment from, long fromOffset, DType fromType, MemorySegment to, long toOffset, DType toType,
            int n) {
        if (fromType == toType) {
            MemorySegment.copy(from, fromOffset, to, toOffset, fromType.byteSize(n));
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = switch (fromType) {
                case F32 -> from.get(F32, fromOffset + 4L * i);
                case F16 -> Float.float16ToFloat(from.get(I16, fromOffset + 2L * i));
                default -> Float.intBitsToFloat((from.get(I16, fromOffset + 2L * i) & 0xFFFF) << 16);
            };
            switch (toType) {
                case F32 -> to.set(F32, toOffset + 4L * i, v);
                case F16 -> to.set(I16, toOffset + 2L * i, Float.floatToFloat16(v));
                default -> to.set(I16, toOffset + 2L * i, dev.panamax.tensor.FloatConversions.f32ToBf16(v));
            }
        }
    }
}
