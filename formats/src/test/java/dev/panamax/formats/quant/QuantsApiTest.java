package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class QuantsApiTest {

    @Test
    void integer_dtypes_are_rejected_naming_the_dtype() {
        for (DType type : new DType[] {DType.I8, DType.I16, DType.I32, DType.I64, DType.F64}) {
            var e = assertThrows(UnsupportedOperationException.class,
                    () -> Quants.dequantizeRow(type, MemorySegment.ofArray(new byte[64]), 0, new float[8], 0, 8));
            assertTrue(e.getMessage().contains(type.toString()), e.getMessage());
            assertThrows(UnsupportedOperationException.class,
                    () -> Quants.quantizeRow(type, new float[8], 0, 8, MemorySegment.ofArray(new byte[64]), 0));
        }
    }

    @Test
    void partial_blocks_and_short_buffers_are_rejected() {
        MemorySegment big = MemorySegment.ofArray(new byte[4096]);
        var partial = assertThrows(IllegalArgumentException.class,
                () -> Quants.dequantizeRow(DType.Q4_K, big, 0, new float[300], 0, 300));
        assertTrue(partial.getMessage().contains("Q4_K") && partial.getMessage().contains("300"), partial.getMessage());
        var shortSrc = assertThrows(IllegalArgumentException.class,
                () -> Quants.dequantizeRow(DType.Q8_0, MemorySegment.ofArray(new byte[33]), 0, new float[32], 0, 32));
        assertTrue(shortSrc.getMessage().contains("34"), shortSrc.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Quants.quantizeRow(DType.Q6_K, new float[256], 0, 256, MemorySegment.ofArray(new byte[209]), 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Quants.quantizeRow(DType.Q4_0, new float[32], 1, 32, big, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Quants.quantizeRow(DType.Q4_0, new float[32], 0, 32, big.asReadOnly(), 0));
    }

    @Test
    void quantize_and_dequantize_tensors_row_by_row(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            long rows = 3;
            int cols = 3 * 256;
            float[] values = Seeded.gaussian(random, (int) (2 * rows * cols), 0.5);
            Tensor f32 = Tensor.of(arena, values, 2, rows, cols);
            for (DType type : new DType[] {DType.Q4_K, DType.Q8_0, DType.F16, DType.Q6_K}) {
                Tensor q = Quants.quantize(arena, f32, type);
                assertEquals(type, q.dtype());
                assertArrayEquals(f32.shape(), q.shape());
                Tensor back = Quants.dequantize(arena, q);
                assertEquals(DType.F32, back.dtype());
                float[] row = new float[cols];
                float[] want = new float[cols];
                MemorySegment one = arena.allocate(type.byteSize(cols));
                float[] got = back.toFloatArray();
                for (int r = 0; r < 2 * rows; r++) {
                    System.arraycopy(values, r * cols, row, 0, cols);
                    Quants.quantizeRow(type, row, 0, cols, one, 0);
                    Quants.dequantizeRow(type, one, 0, want, 0, cols);
                    for (int c = 0; c < cols; c++) {
                        assertEquals(want[c], got[r * cols + c], type + " row " + r + " col " + c);
                    }
                }
            }
        }
    }

    @Test
    void quantize_reads_through_views(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            int cols = 64;
            float[] values = Seeded.nonZeroFloats(random, 5 * cols, 2f);
            Tensor f32 = Tensor.of(arena, values, 5, cols);
            Tensor view = f32.narrow(0, 1, 3);
            Tensor q = Quants.quantize(arena, view, DType.Q8_0);
            Tensor direct = Quants.quantize(arena, Tensor.of(arena, java.util.Arrays.copyOfRange(values, cols, 4 * cols), 3, cols),
                    DType.Q8_0);
            assertArrayEquals(direct.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    q.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void quantize_rejects_non_f32_input_and_ragged_rows() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor f16 = Tensor.allocate(arena, DType.F16, 2, 32);
            assertThrows(IllegalArgumentException.class, () -> Quants.quantize(arena, f16, DType.Q8_0));
            Tensor ragged = Tensor.allocate(arena, DType.F32, 2, 48);
            var e = assertThrows(IllegalArgumentException.class, () -> Quants.quantize(arena, ragged, DType.Q4_0));
            assertTrue(e.getMessage().contains("48") && e.getMessage().contains("Q4_0"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> Quants.quantize(arena, ragged, DType.I32));
        }
    }
}
