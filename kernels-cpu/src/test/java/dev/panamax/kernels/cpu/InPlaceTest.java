package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.assertBitwise;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;
import static dev.panamax.kernels.cpu.Fixtures.tensor;

import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ops allows out to be the input for element-wise kernels, softmax and norms: same result as out of place. */
@ExtendWith(Seeded.class)
class InPlaceTest {
    private static final CpuOps CPU = new CpuOps(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    @Test
    void in_place_equals_out_of_place(Random random) {
        int rows = 1 + random.nextInt(5);
        int cols = Fixtures.pick(random, Fixtures.SIZES);
        float[] x = Seeded.gaussian(random, rows * cols, 2);
        Tensor w = tensor(Seeded.nonZeroFloats(random, cols, 1f), cols);
        Tensor other = tensor(Seeded.nonZeroFloats(random, rows * cols, 1f), rows, cols);
        for (Ops ops : new Ops[] {new ReferenceOps(), CPU}) {
            check(ops, "rmsNorm", x, rows, cols, (in, out) -> ops.rmsNorm(in, w, 1e-5f, out));
            check(ops, "layerNorm", x, rows, cols, (in, out) -> ops.layerNorm(in, w, w, 1e-5f, out));
            check(ops, "softmax", x, rows, cols, ops::softmax);
            check(ops, "silu", x, rows, cols, ops::silu);
            check(ops, "gelu", x, rows, cols, (in, out) -> ops.gelu(in, Gelu.ERF, out));
            check(ops, "swiglu", x, rows, cols, (in, out) -> ops.swiglu(in, other, out));
            check(ops, "add", x, rows, cols, (in, out) -> ops.add(in, w, out));
            check(ops, "mul", x, rows, cols, (in, out) -> ops.mul(in, other, out));
            check(ops, "scale", x, rows, cols, (in, out) -> ops.scale(in, -0.3f, out));
        }
    }

    private static void check(Ops ops, String name, float[] x, int rows, int cols, BiConsumer<Tensor, Tensor> kernel) {
        Tensor out = poisoned(rows, cols);
        kernel.accept(tensor(x, rows, cols), out);
        Tensor inPlace = tensor(x, rows, cols);
        kernel.accept(inPlace, inPlace);
        assertBitwise(ops.name() + " " + name + " in place", out.toFloatArray(), inPlace.toFloatArray());
    }
}
