package dev.panamax.jmh.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.FloatConversions;
import dev.panamax.tensor.Tensor;

/**
 * Benchmark inputs: random tensors of every dtype, made quickly even at vocabulary size.
 *
 * <p>Quantized weights are real blocks when the quantizers ({@code dev.panamax.formats.quant.Quants})
 * are on the class path: a tile of {@value #TILE_ROWS} random F32 rows is quantized and repeated
 * down the matrix (kernel speed does not depend on the values, and quantizing 500 M values would
 * dominate the setup). Without them, every block is random bytes with its scales overwritten by
 * small positive F16 values, which has the exact size and layout of real blocks, and therefore the
 * same speed. {@link #quantizedSource()} says which was used.
 */
public final class RandomTensors {
    /** Rows quantized for real and then repeated. */
    static final int TILE_ROWS = 32;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final MethodHandle QUANTIZE = findQuantize();

    private long state;

    /** A generator with a fixed seed, so that every fork benchmarks the same data. */
    public RandomTensors(long seed) {
        state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** "Quants.quantize (real blocks)" or what stands in for it. */
    public static String quantizedSource() {
        return QUANTIZE != null ? "dev.panamax.formats.quant.Quants.quantize on a random F32 tile of " + TILE_ROWS + " rows, repeated"
                : "random bytes with F16 scales written in place (dev.panamax.formats.quant.Quants not on the class path)";
    }

    /** A contiguous F32 tensor with entries uniform in [-1, 1). */
    public Tensor floats(Arena arena, long... shape) {
        Tensor t = Tensor.allocate(arena, DType.F32, shape);
        MemorySegment m = t.data();
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F32, i, nextFloat());
        }
        return t;
    }

    /** A contiguous weight matrix {@code [rows, cols]} of {@code dtype} with random, finite values. */
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
                if (QUANTIZE != null) {
                    quantizedTiles(dtype, rows, cols, m);
                } else {
                    randomBlocks(dtype, m);
                }
            }
        }
        return t;
    }

    private void quantizedTiles(DType dtype, long rows, long cols, MemorySegment dst) {
        long tileRows = Math.min(TILE_ROWS, rows);
        try (Arena scratch = Arena.ofConfined()) {
            Tensor f32 = floats(scratch, tileRows, cols);
            Tensor tile;
            try {
                tile = (Tensor) QUANTIZE.invokeExact(scratch, f32, dtype);
            } catch (Throwable e) {
                throw new IllegalStateException("Quants.quantize failed for " + dtype, e);
            }
            MemorySegment src = tile.data();
            for (long at = 0; at < dst.byteSize(); at += src.byteSize()) {
                MemorySegment.copy(src, 0, dst, at, Math.min(src.byteSize(), dst.byteSize() - at));
            }
        }
    }

    private void randomBlocks(DType dtype, MemorySegment m) {
        long words = m.byteSize() / 8;
        for (long i = 0; i < words; i++) {
            m.setAtIndex(I64, i, next());
        }
        for (long i = words * 8; i < m.byteSize(); i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) next());
        }
        int[] scaleOffsets = scaleOffsets(dtype);
        long blocks = m.byteSize() / dtype.bytesPerBlock();
        for (long b = 0; b < blocks; b++) {
            long base = b * dtype.bytesPerBlock();
            for (int off : scaleOffsets) {
                float scale = 0.002f + 0.004f * (nextFloat() + 1f) / 2f;
                m.set(I16, base + off, FloatConversions.f32ToF16(scale));
            }
        }
    }

    /** Byte offsets of the F16 scales (d, and dmin or m) inside one block (ggml-common.h). */
    static int[] scaleOffsets(DType dtype) {
        return switch (dtype) {
            case Q4_0, Q5_0, Q8_0 -> new int[] {0};
            case Q4_1, Q5_1, Q8_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException("no random blocks for " + dtype);
        };
    }

    private static MethodHandle findQuantize() {
        try {
            Class<?> quants = Class.forName("dev.panamax.formats.quant.Quants");
            return MethodHandles.publicLookup().findStatic(quants, "quantize",
                    MethodType.methodType(Tensor.class, Arena.class, Tensor.class, DType.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Whether the real quantizers are used; see {@link #quantizedSource()}. */
    public static Optional<String> quantizersMissing() {
        return QUANTIZE == null ? Optional.of(quantizedSource()) : Optional.empty();
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
