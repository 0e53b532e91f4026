package dev.panamax.formats.safetensors;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.FloatConversions;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * FP8 weights with 128 x 128 block scales, as DeepSeek V3/R1 checkpoints store their linear layers:
 * {@code X.weight} is F8_E4M3 {@code [rows, cols]} and {@code X.weight_scale_inv} is F32
 * {@code [ceil(rows / 128), ceil(cols / 128)]}; the weight is {@code fp8 * scale_inv} of its block
 * (edge blocks are partial when rows or cols are not multiples of 128).
 *
 * <p>No kernel reads FP8, so such a weight is converted once, at load, to BF16 (the type DeepSeek's
 * own conversion script makes): each value is {@code e4m3 * scale} in float, rounded to nearest even
 * to BF16 (relative error at most 2^-8). Memory cost: 2 bytes per weight, twice the file's 1, and
 * allocated off-heap rather than mapped from the file (a 671B-parameter DeepSeek V3 needs about
 * 1.3 TB); {@link SafetensorsFile#tensor} logs one note per file that converts.
 */
public final class BlockScaledFp8 {
    /** Rows and columns of one scale block. */
    public static final int BLOCK = 128;
    /** The scale tensor of weight {@code X} is {@code X + SCALE_SUFFIX}. */
    public static final String SCALE_SUFFIX = "_scale_inv";

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockScaledFp8() {
    }

    /**
     * {@return the scale tensor's name for weight {@code name}}
     *
     * @param name a weight's name, e.g. {@code model.layers.0.mlp.up_proj.weight}
     */
    public static String scaleName(String name) {
        return name + SCALE_SUFFIX;
    }

    /**
     * Weight {@code name} of {@code file} decoded, each value {@code e4m3 * scale} rounded to BF16.
     *
     * @param file   the checkpoint file, named in errors
     * @param name   the weight's name, named in errors
     * @param shape  the weight's shape {@code [rows, cols]}
     * @param fp8    its E4M3 bytes, row-major
     * @param scales its scale tensor (F32, F16 or BF16), one scale per 128 x 128 block
     * @param arena  owns the result
     * @return a new BF16 tensor of {@code shape}
     * @throws FormatException naming the file and tensor if the weight is not 2-D or the scales'
     *     shape is not {@code [ceil(rows / 128), ceil(cols / 128)]}
     */
    public static Tensor toBf16(Path file, String name, long[] shape, MemorySegment fp8, Tensor scales, Arena arena) {
        return convert(file, name, shape, fp8, scales, arena, DType.BF16);
    }

    /**
     * As {@link #toBf16}, into F32 (each value {@code e4m3 * scale} rounded once, to float): 4 bytes per weight.
     *
     * @param file   the checkpoint file, named in errors
     * @param name   the weight's name, named in errors
     * @param shape  the weight's shape {@code [rows, cols]}
     * @param fp8    its E4M3 bytes, row-major
     * @param scales its scale tensor, one scale per 128 x 128 block
     * @param arena  owns the result
     * @return a new F32 tensor of {@code shape}
     * @throws FormatException as {@link #toBf16} does
     */
    public static Tensor toF32(Path file, String name, long[] shape, MemorySegment fp8, Tensor scales, Arena arena) {
        return convert(file, name, shape, fp8, scales, arena, DType.F32);
    }

    private static Tensor convert(Path file, String name, long[] shape, MemorySegment fp8, Tensor scales, Arena arena,
            DType to) {
        long[] scaleShape = scales.shape();
        if (shape.length != 2) {
            throw new FormatException(file, name + ".shape", Arrays.toString(shape),
                    "an FP8 weight with block scales must be 2-D [rows, cols]");
        }
        long rows = shape[0], cols = shape[1];
        long[] expected = {ceilDiv(rows), ceilDiv(cols)};
        if (!Arrays.equals(expected, scaleShape)) {
            throw new FormatException(file, scaleName(name) + ".shape", Arrays.toString(scaleShape),
                    "must be " + Arrays.toString(expected) + ": one scale per 128 x 128 block of " + Arrays.toString(shape));
        }
        if (!scales.dtype().isFloatingPoint() || scales.dtype() == DType.F64) {
            throw new FormatException(file, scaleName(name) + ".dtype", scales.dtype(), "block scales must be F32, F16 or BF16");
        }
        Tensor out = Tensor.allocate(arena, to, rows, cols);
        MemorySegment dst = out.data();
        int rowBlocks = (int) expected[0], colBlocks = (int) expected[1];
        float[][] blockScales = new float[rowBlocks][colBlocks];
        for (int rb = 0; rb < rowBlocks; rb++) {
            for (int cb = 0; cb < colBlocks; cb++) {
                blockScales[rb][cb] = scales.getFloat(rb, cb);
            }
        }
        // blocks of rows in parallel where both segments may be used from other threads (not confined)
        Thread probe = new Thread(() -> { });
        IntStream blocks = IntStream.range(0, rowBlocks);
        if (fp8.isAccessibleBy(probe) && dst.isAccessibleBy(probe)) {
            blocks = blocks.parallel();
        }
        blocks.forEach(rb -> {
            long end = Math.min(rows, (long) (rb + 1) * BLOCK);
            for (long r = (long) rb * BLOCK; r < end; r++) {
                for (long c = 0; c < cols; c++) {
                    float v = Float8.e4m3ToFloat(fp8.get(ValueLayout.JAVA_BYTE, r * cols + c)) * blockScales[rb][(int) (c / BLOCK)];
                    if (to == DType.BF16) {
                        dst.set(I16, 2 * (r * cols + c), FloatConversions.f32ToBf16(v));
                    } else {
                        dst.set(F32, 4 * (r * cols + c), v);
                    }
                }
            }
        });
        return out;
    }

    private static long ceilDiv(long n) {
        return (n + BLOCK - 1) / BLOCK;
    }
}
