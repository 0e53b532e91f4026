package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class TensorTest {

    /** Issue 20: a huge shape gave a raw ArithmeticException from DType.byteSize. */
    @Test
    void a_shape_too_large_for_memory_is_rejected_naming_dtype_and_shape() {
        try (Arena arena = Arena.ofConfined()) {
            long[][] shapes = {{1L << 40, 1L << 30}, {Long.MAX_VALUE / 2 + 1, 1}, {1L << 61, 8}};
            for (long[] shape : shapes) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Tensor.allocate(arena, DType.F32, shape));
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(java.util.Arrays.toString(shape)), e.getMessage());
            }
        }
    }

    @Test
    void writes_through_a_view_reach_the_original() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            t.transpose(0, 1).select(0, 2).setFloat(-7f, 1);
            assertEquals(-7f, t.getFloat(1, 2));
            t.narrow(1, 1, 2).fill(9);
            assertArrayEquals(new float[] {1, 9, 9, 4, 9, 9}, t.toFloatArray());
        }
    }

    @Test
    void quantized_row_views_cover_whole_blocks(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            int rows = 5;
            int cols = 96; // three Q8_0 blocks per row
            Tensor q = Tensor.allocate(arena, DType.Q8_0, rows, cols);
            byte[] bytes = new byte[(int) q.byteSize()];
            random.nextBytes(bytes);
            MemorySegment.copy(bytes, 0, q.segment(), ValueLayout.JAVA_BYTE, 0, bytes.length);
            long rowBytes = 3 * 34;
            Tensor middle = q.rows(1, 3);
            assertArrayEquals(new long[] {3, 96}, middle.shape());
            assertEquals(rowBytes, middle.byteOffset());
            assertArrayEquals(slice(bytes, rowBytes, 3 * rowBytes), middle.data().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(slice(bytes, 4 * rowBytes, rowBytes), q.row(4).toArray(ValueLayout.JAVA_BYTE));
            Tensor secondBlock = q.narrow(1, 32, 32);
            assertArrayEquals(slice(bytes, 2 * rowBytes + 34, 34), secondBlock.row(2).toArray(ValueLayout.JAVA_BYTE));
            assertThrows(IllegalArgumentException.class, () -> q.narrow(1, 16, 32), "cut inside a block");
            assertThrows(IllegalArgumentException.class, () -> q.select(1, 3), "single quantized elements");
            assertThrows(UnsupportedOperationException.class, () -> q.getFloat(0, 0));
            assertThrows(IllegalArgumentException.class, () -> q.transpose(0, 1));
            assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(arena, DType.Q4_K, 2, 100));
            assertArrayEquals(new long[] {15, 32}, q.reshape(15, 32).shape());
        }
    }

    private static byte[] slice(byte[] a, long from, long length) {
        return java.util.Arrays.copyOfRange(a, (int) from, (int) (from + length));
    }

    @Test
    void conversion_among_float_types_rounds_to_nearest_even_and_keeps_specials(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            float[] values = Seeded.gaussian(random, 257, 3.0);
            values[0] = Float.NaN;
            values[1] = Float.NEGATIVE_INFINITY;
            values[2] = 1e9f; // beyond F16's range: infinity
            Tensor f32 = Tensor.of(arena, values, 257);
            Tensor bf16 = f32.to(arena, DType.BF16);
            Tensor f16 = f32.to(arena, DType.F16);
            for (int i = 0; i < values.length; i++) {
                assertEquals(FloatConversions.bf16ToF32(FloatConversions.f32ToBf16(values[i])), bf16.getFloat(i), 0f);
                assertEquals(FloatConversions.f16ToF32(FloatConversions.f32ToF16(values[i])), f16.getFloat(i), 0f);
            }
            assertTrue(Float.isNaN(bf16.getFloat(0)) && Float.isNaN(f16.getFloat(0)));
            assertEquals(Float.NEGATIVE_INFINITY, f16.getFloat(1));
            assertEquals(Float.POSITIVE_INFINITY, f16.getFloat(2));
            // F16 -> BF16 goes through float exactly
            Tensor back = f16.to(arena, DType.BF16).to(arena, DType.F32);
            assertEquals(FloatConversions.bf16ToF32(FloatConversions.f32ToBf16(f16.getFloat(5))), back.getFloat(5), 0f);
        }
    }

    @Test
    void integer_tensors_store_and_convert_exactly() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor i64 = Tensor.allocate(arena, DType.I64, 3);
            i64.setLong(Long.MAX_VALUE, 0);
            i64.setLong(-5, 1);
            i64.setLong(1L << 40, 2);
            assertEquals(Long.MAX_VALUE, i64.getLong(0));
            Tensor i8 = i64.to(arena, DType.I8);
            assertEquals(-5, i8.getLong(1));
            assertEquals((byte) (1L << 40), i8.getLong(2));
            Tensor f = i64.narrow(0, 1, 1).to(arena, DType.F32);
            assertEquals(-5f, f.getFloat(0));
        }
    }

    @Test
    void all_close_follows_torch_semantics() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.of(arena, new float[] {1f, 100f, Float.POSITIVE_INFINITY}, 3);
            Tensor b = Tensor.of(arena, new float[] {1.0005f, 100.05f, Float.POSITIVE_INFINITY}, 3);
            assertTrue(a.allClose(b, 1e-3, 0));
            assertFalse(a.allClose(b, 1e-4, 0));
            assertTrue(a.allClose(b, 0, 0.06));
            Tensor nan = Tensor.of(arena, new float[] {Float.NaN, 1, 1}, 3);
            assertFalse(nan.allClose(nan, 1, 1), "NaN is never close");
            assertFalse(a.allClose(a.reshape(1, 3), 0, 0), "shapes differ");
        }
    }

    @Test
    void access_after_the_arena_closes_fails_cleanly() {
        Arena arena = Arena.ofShared();
        Tensor t = Tensor.of(arena, new float[] {1, 2, 3, 4}, 2, 2);
        Tensor view = t.transpose(0, 1);
        arena.close();
        assertFalse(view.isAlive());
        TensorClosedException e = assertThrows(TensorClosedException.class, () -> view.getFloat(0, 1));
        assertTrue(e.getMessage().contains("Arena that owns it is closed"), e.getMessage());
        assertThrows(TensorClosedException.class, () -> t.setFloat(1f, 0, 0));
        assertThrows(TensorClosedException.class, t::toFloatArray);
        assertThrows(IllegalStateException.class, () -> t.data().get(ValueLayout.JAVA_FLOAT, 0));
        assertEquals("tensor(<freed>, shape=[2, 2])", t.toString());
    }

    @Test
    void bad_shapes_and_indices_give_the_documented_exceptions() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, DType.F32, 2, 3, 4);
            assertThrows(IndexOutOfBoundsException.class, () -> t.getFloat(2, 0, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> t.getFloat(0, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> t.getFloat(0, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 2, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> t.select(3, 0));
            assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 5));
            assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, -1));
            assertThrows(IllegalArgumentException.class, () -> t.transpose(0, 2).reshape(24), "no view possible");
            assertArrayEquals(new long[] {6, 4}, t.reshape(-1, 4).shape());
            assertThrows(IllegalArgumentException.class, () -> t.expand(2, 5, 4));
            assertThrows(IllegalArgumentException.class, () -> t.permute(0, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(arena, DType.F32, 2, -1));
            assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(arena, DType.F32, 1L << 32, 1L << 32));
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(Tensor.allocate(arena, DType.F32, 2, 3)));
            assertThrows(IllegalStateException.class, () -> t.transpose(1, 2).data());
            MemorySegment small = arena.allocate(16);
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(small, 8, DType.F32, 3));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(arena, new float[5], 2, 3));
        }
    }

    @Test
    void to_string_prints_like_pytorch() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals("tensor([[ 1.0000, -2.5000],\n        [ 3.2500,  4.0000]])",
                    Tensor.of(arena, new float[] {1, -2.5f, 3.25f, 4}, 2, 2).toString());
            assertEquals("tensor([1., 2., 3.])", Tensor.of(arena, new float[] {1, 2, 3}, 3).toString());
            assertEquals("tensor([1., 2.], dtype=F16)", Tensor.of(arena, new float[] {1, 2}, 2).to(arena, DType.F16).toString());
            Tensor big = Tensor.allocate(arena, DType.F32, 100, 100);
            for (int i = 0; i < 100; i++) {
                big.setFloat(i, i, 0);
            }
            String s = big.toString();
            assertTrue(s.startsWith("tensor([[ 0.,  0.,  0.,  ...,  0.,  0.,  0.],"), s);
            assertTrue(s.contains("...,"), s);
            assertTrue(s.endsWith("[99.,  0.,  0.,  ...,  0.,  0.,  0.]])"), s);
            assertEquals("tensor(<Q4_K blocks>, shape=[2, 256], dtype=Q4_K)", Tensor.allocate(arena, DType.Q4_K, 2, 256).toString());
        }
    }

    @Test
    void backends_are_found_by_name_and_unknown_names_are_a_clear_error() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.provider("no-such-backend"));
        assertTrue(e.getMessage().contains("no backend named 'no-such-backend'"), e.getMessage());
    }
}
