package dev.panamax.jmh.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.FloatConversions;
import dev.panamax.tensor.Tensor;

/**
 * Benchmark inputs: random tensors of every dtype, made quickly even at vocabulary size.
 *
 * <p>Quantized weights are real blocks: a tile of {@value #TILE_ROWS} random F32 rows is quantized
 * with {@link Quants#quantize} and repeated down the matrix (kernel speed does not depend on the
 * values, and quantizing 500 M values in every fork would dominate the setup).
 */
public final class RandomTensors {
    /** Rows quantized for real and then repeated. */
    static final int TILE_ROWS = 32;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private long state;

    /**
     * A generator with a fixed seed, so that every fork benchmarks the same data.
     *
     * @param seed the seed of every value drawn
     */
    public RandomTensors(long seed) {
        state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** {@return how quantized weights are made, for the report} */
    public static String quantizedSource() {
        return "Quants.quantize of a random F32 tile of " + TILE_ROWS + " rows, repeated down the matrix";
    }

    /**
     * A contiguous F32 tensor with entries uniform in [-1, 1).
     *
     * @param arena owns the tensor
     * @param shape the sizes, outermost first
     * @return the tensor
     */
    public Tensor floats(Arena arena, long... shape) {
        Tensor t = Tensor.allocate(arena, DType.F32, shape);
        MemorySegment m = t.data();
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F32, i, nextFloat());
        }
        return t;
    }

    /**
     * A contiguous weight matrix {@code [rows, cols]} of {@code dtype} with random, finite values.
     *
     * @param arena owns the tensor
     * @param dtype any type {@code Ops.matmul} takes; quantized types are quantized from random floats
     * @param rows  the output size N
     * @param cols  the input size K, a multiple of the type's block size
     * @return the weight
     */
    public Tensor weights(Arena arena, DType dtype, long rows, long cols) {
        Tensor t = Tensor.allocate(arena, dtype, rows, cols);
        MemorySegment m = t.data();
        long n = t.numel();
        switch (dtype) {
            case F32 -> {
                for (long i = 0; i < n; i++) {
                    m.setAtIndex(F32, i, nextFloat());
                }
            }
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    m.setAtIndex(I16, i, FloatConversions.f32ToF16(nextFloat()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    m.setAtIndex(I16, i, FloatConversions.f32ToBf16(nextFloat()));
                }
            }
            default -> {
                if (!dtype.isQuantized()) {
                    throw new IllegalArgumentException("no random weights for " + dtype);
                }
                quantizedTiles(dtype, rows, cols, m);
            }
        }
        return t;
    }

    private void quantizedTiles(DType dtype, long rows, long cols, MemorySegment dst) {
        long tileRows = Math.min(TILE_ROWS, rows);
        try (Arena scratch = Arena.ofConfined()) {
            Tensor f32 = floats(scratch, tileRows, cols);
            MemorySegment src = Quants.quantize(scratch, f32, dtype).data();
            for (long at = 0; at < dst.byteSize(); at += src.byteSize()) {
                MemorySegment.copy(src, 0, dst, at, Math.min(src.byteSize(), dst.byteSize() - at));
            }
        }
    }

    private long next() {
        // xorshift64*: fast, and plenty random for benchmark data
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        return state * 0x2545F4914F6CDD1DL;
    }

    private float nextFloat() {
        return ((next() >>> 40) * 0x1.0p-24f) * 2f - 1f;
    }
}
