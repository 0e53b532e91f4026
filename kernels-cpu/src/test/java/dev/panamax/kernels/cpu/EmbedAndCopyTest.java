package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.assertBitwise;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.FloatConversions;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Embedding rows of every table dtype, and float conversions: exact data movement. */
@ExtendWith(Seeded.class)
class EmbedAndCopyTest {
    private static final CpuOps CPU = new CpuOps(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    @Test
    void embed_returns_the_dequantized_rows_of_any_table_dtype(Random random) {
        Arena arena = Arena.ofAuto();
        for (DType type : new DType[] {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K,
                DType.MXFP4}) {
            int vocab = 3 + random.nextInt(20);
            int d = type.isQuantized() ? type.blockSize() * (1 + random.nextInt(3)) : Fixtures.pick(random, Fixtures.SIZES);
            Tensor f32 = Tensor.of(arena, Seeded.gaussian(random, vocab * d, 1), vocab, d);
            Tensor table = type.isQuantized() ? Quants.quantize(arena, f32, type) : f32.to(arena, type);
            // expected rows: the tensor module's conversion, or the formats module's dequantizer
            float[] all = type.isQuantized() ? Quants.dequantize(arena, table).toFloatArray() : table.toFloatArray();
            int[] ids = new int[1 + random.nextInt(6)];
            float[] expected = new float[ids.length * d];
            for (int t = 0; t < ids.length; t++) {
                ids[t] = random.nextInt(vocab);
                System.arraycopy(all, ids[t] * d, expected, t * d, d);
            }
            for (Ops ops : new Ops[] {new ReferenceOps(), CPU}) {
                Tensor out = poisoned(ids.length, d);
                ops.embed(table, ids, out);
                assertBitwise(ops.name() + " embed " + type, expected, out.toFloatArray());
            }
        }
    }

    @Test
    void copy_converts_between_f32_f16_and_bf16_rounding_to_nearest_even(Random random) {
        Arena arena = Arena.ofAuto();
        DType[] types = {DType.F32, DType.F16, DType.BF16};
        for (int n : Fixtures.SIZES) {
            float[] values = Seeded.gaussian(random, n, 100);
            for (DType from : types) {
                Tensor src = Tensor.of(arena, values, n).to(arena, from);
                float[] srcValues = src.toFloatArray();
                for (DType to : types) {
                    float[] expected = new float[n];
                    for (int i = 0; i < n; i++) {
                        float v = srcValues[i];
                        expected[i] = switch (to) {
                            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
                            case BF16 -> FloatConversions.bf16ToF32(FloatConversions.f32ToBf16(v));
                            default -> v;
                        };
                    }
                    for (Ops ops : new Ops[] {new ReferenceOps(), CPU}) {
                        Tensor dst = Tensor.allocate(arena, to, n).fill(Float.NaN);
                        ops.copy(src, dst);
                        assertBitwise(ops.name() + " copy " + from + " -> " + to, expected, dst.toFloatArray());
                    }
                }
            }
        }
    }
    @Test
    void copyRows_writes_the_rows_copy_writes_through_a_view_and_no_others(Random random) {
        Arena arena = Arena.ofAuto();
        DType[] types = {DType.F32, DType.F16, DType.BF16};
        for (int round = 0; round < 12; round++) {
            int heads = 1 + random.nextInt(5), d = Fixtures.pick(random, Fixtures.SIZES);
            int rows = 1 + random.nextInt(9), capacity = rows + random.nextInt(20), first = random.nextInt(capacity - rows + 1);
            DType from = types[random.nextInt(3)], to = types[random.nextInt(3)];
            Tensor src = Tensor.of(arena, Seeded.gaussian(random, rows * heads * d, 3), rows, heads, d).to(arena, from);
            for (Ops ops : new Ops[] {new ReferenceOps(), CPU}) {
                // expected: copy through the view, into a cache poisoned with finite values (not NaN: compared bitwise)
                float[] poison = Seeded.gaussian(random, capacity * heads * d, 50);
                Tensor expected = Tensor.of(arena, poison, capacity, heads, d).to(arena, to);
                ops.copy(src, expected.rows(first, rows));
                Tensor cache = Tensor.of(arena, poison, capacity, heads, d).to(arena, to);
                ops.copyRows(src, cache, first);
                assertBitwise(ops.name() + " copyRows " + from + " -> " + to + " rows " + first + "+" + rows + " of " + capacity,
                        expected.toFloatArray(), cache.toFloatArray());
            }
        }
    }

    @Test
    void copyRows_rejects_rows_outside_dst_and_mismatched_rows() {
        Arena arena = Arena.ofAuto();
        Tensor src = Tensor.allocate(arena, DType.F32, 2, 3, 4);
        Tensor cache = Tensor.allocate(arena, DType.F32, 5, 3, 4);
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> CPU.copyRows(src, cache, 4));
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> CPU.copyRows(src, cache, -1));
        Tensor wide = Tensor.allocate(arena, DType.F32, 5, 3, 5);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> CPU.copyRows(src, wide, 0));
        Tensor flat = Tensor.allocate(arena, DType.F32, 5, 12);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> CPU.copyRows(src, flat, 0));
        CPU.copyRows(src, cache, 3); // the last rows fit
    }
}
