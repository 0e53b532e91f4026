package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorClosedException;
import java.lang.foreign.Arena;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Wrong shapes, dtypes, layouts and freed memory fail cleanly, with messages naming op and shapes. */
class MisuseTest {
    private static final CpuOps CPU = new CpuOps(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static Stream<Ops> backends() {
        return Stream.of(new ReferenceOps(), CPU);
    }

    private static void rejects(String op, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(op), "message should name " + op + ": " + e.getMessage());
    }

    private static Tensor f32(long... shape) {
        return Tensor.allocate(Arena.ofAuto(), DType.F32, shape).fill(0.5);
    }

    /** Issue 20: ops.matmul(x, w, w) silently returned garbage. */
    @Test
    void an_output_overlapping_an_input_is_rejected_where_the_kernel_reads_while_it_writes() {
        backends().forEach(ops -> {
            Tensor square = f32(8, 8);
            Tensor x = f32(8, 8);
            rejects("matmul", () -> ops.matmul(x, square, square));
            rejects("matmul", () -> ops.matmul(square, x, square));
            rejects("matmul", () -> ops.matmul(x, square, square.rows(2, 4).reshape(4, 8).rows(0, 4)));
            Tensor table = f32(8, 8);
            rejects("embed", () -> ops.embed(table, new int[] {1, 2}, table.rows(0, 2)));
            Tensor cache = f32(4, 2, 8);
            rejects("attention", () -> ops.attention(f32(1, 2, 8), cache, f32(4, 2, 8), 0, 1f, cache.rows(0, 1)));
            ops.matmul(x, square, f32(8, 8)); // disjoint tensors still work
        });
    }

    /** Issue 20: tensors of a confined arena failed with WrongThreadException, or not, depending on size. */
    @Test
    void tensors_of_a_confined_arena_are_refused_up_front_whatever_their_size() {
        backends().forEach(ops -> {
            for (int n : new int[] {4, 4096}) {
                try (Arena confined = Arena.ofConfined()) {
                    Tensor small = Tensor.allocate(confined, DType.F32, 2, n).fill(0.25);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> ops.rmsNorm(small, f32(n), 1e-5f, f32(2, n)));
                    assertTrue(e.getMessage().contains("confined arena") && e.getMessage().contains("Arena.ofShared()"),
                            e.getMessage());
                    assertThrows(IllegalArgumentException.class, () -> ops.matmul(f32(2, n), small, f32(2, 2)));
                }
            }
        });
    }

    @Test
    void wrong_shapes_are_rejected_with_the_operation_and_shapes_named() {
        backends().forEach(ops -> {
            rejects("rmsNorm", () -> ops.rmsNorm(f32(2, 8), f32(7), 1e-5f, f32(2, 8)));
            rejects("rmsNorm", () -> ops.rmsNorm(f32(2, 8), f32(8), 1e-5f, f32(2, 9)));
            rejects("layerNorm", () -> ops.layerNorm(f32(2, 8), f32(8), f32(9), 1e-5f, f32(2, 8)));
            rejects("softmax", () -> ops.softmax(f32(3, 4), f32(4, 3)));
            rejects("silu", () -> ops.silu(f32(5), f32(6)));
            rejects("gelu", () -> ops.gelu(f32(5), Gelu.ERF, f32(6)));
            rejects("swiglu", () -> ops.swiglu(f32(2, 5), f32(5), f32(2, 5)));
            rejects("add", () -> ops.add(f32(2, 5), f32(4), f32(2, 5)));
            rejects("mul", () -> ops.mul(f32(2, 5), f32(3, 5), f32(2, 5)));
            rejects("scale", () -> ops.scale(f32(2, 5), 2f, f32(5, 2)));
            rejects("rope", () -> ops.rope(f32(2, 2, 8), 0, Rope.of(Rope.Layout.NEOX, 10, 1e4), f32(2, 2, 8)));
            rejects("rope", () -> ops.rope(f32(2, 16), 0, Rope.of(Rope.Layout.NEOX, 8, 1e4), f32(2, 16)));
            rejects("attention", () -> ops.attention(f32(1, 3, 8), f32(4, 2, 8), f32(4, 2, 8), 0, 1f, f32(1, 3, 8)));
            rejects("attention", () -> ops.attention(f32(2, 4, 8), f32(4, 2, 8), f32(4, 2, 8), 3, 1f, f32(2, 4, 8)));
            rejects("attention", () -> ops.attention(f32(1, 4, 8), f32(4, 2, 16), f32(4, 2, 16), 0, 1f, f32(1, 4, 8)));
            rejects("attention", () -> ops.attention(f32(1, 4, 8), f32(4, 2, 8), f32(4, 2, 8).to(Arena.ofAuto(), DType.F16), 0,
                    1f, f32(1, 4, 8)));
            rejects("argmax", () -> ops.argmax(f32(3, 4), new int[2]));
            rejects("embed", () -> ops.embed(f32(10, 4), new int[] {1, 10}, f32(2, 4)));
            rejects("embed", () -> ops.embed(f32(10, 4), new int[] {1, -1}, f32(2, 4)));
            rejects("embed", () -> ops.embed(f32(10, 4), new int[] {1}, f32(2, 4)));
            rejects("copy", () -> ops.copy(f32(3, 4), f32(4, 3)));
            rejects("copy", () -> ops.copy(f32(3, 4), Tensor.allocate(Arena.ofAuto(), DType.I32, 3, 4)));
        });
    }

    @Test
    void wrong_dtypes_and_non_contiguous_views_are_rejected() {
        backends().forEach(ops -> {
            Tensor f16 = f32(4, 4).to(Arena.ofAuto(), DType.F16);
            rejects("softmax", () -> ops.softmax(f16, f32(4, 4)));
            rejects("add", () -> ops.add(f32(4, 4), f16, f32(4, 4)));
            Tensor transposed = f32(4, 6).transpose(0, 1);
            rejects("softmax", () -> ops.softmax(transposed, f32(6, 4)));
            rejects("silu", () -> ops.silu(f32(6, 4), transposed));
            rejects("attention", () -> ops.attention(f32(4, 2, 8).permute(1, 0, 2), f32(4, 2, 8), f32(4, 2, 8), 0, 1f,
                    f32(2, 4, 8)));
        });
    }

    @Test
    void tensors_of_a_closed_arena_fail_with_tensor_closed_exception() {
        backends().forEach(ops -> {
            Arena arena = Arena.ofShared();
            Tensor x = Tensor.allocate(arena, DType.F32, 3, 8).fill(1);
            Tensor w = Tensor.allocate(arena, DType.F32, 8).fill(1);
            Tensor out = f32(3, 8);
            arena.close();
            Consumer<Executable> closed = call -> assertThrows(TensorClosedException.class, call);
            closed.accept(() -> ops.rmsNorm(x, w, 1e-5f, out));
            closed.accept(() -> ops.softmax(x, out));
            closed.accept(() -> ops.silu(out, x)); // a closed output too
            closed.accept(() -> ops.add(out, w, out));
            closed.accept(() -> ops.argmax(x, new int[3]));
            closed.accept(() -> ops.embed(x, new int[] {0}, f32(1, 8)));
            closed.accept(() -> ops.copy(x, out));
        });
    }

    @Test
    void matmul_delegates_and_rejects_mismatched_shapes_or_closed_memory() {
        backends().forEach(ops -> {
            rejects("matmul", () -> ops.matmul(f32(2, 8), f32(3, 7), f32(2, 3)));
            rejects("matmul", () -> ops.matmul(f32(2, 8), f32(3, 8), f32(3, 2)));
            Tensor out = Tensor.allocate(Arena.ofAuto(), DType.F32, 2, 3).fill(Float.NaN);
            ops.matmul(f32(2, 8), f32(3, 8), out);
            for (float v : out.toFloatArray()) {
                assertTrue(v == 2f, ops.name() + " matmul of halves over K=8 gives 2, got " + v); // 8 * 0.5 * 0.5, exact
            }
            Arena arena = Arena.ofShared();
            Tensor w = Tensor.allocate(arena, DType.F32, 3, 8);
            arena.close();
            assertThrows(TensorClosedException.class, () -> ops.matmul(f32(2, 8), w, f32(2, 3)));
        });
    }
}
