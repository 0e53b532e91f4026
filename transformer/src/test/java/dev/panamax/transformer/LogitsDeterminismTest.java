package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.kernels.cpu.CpuOps;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With a fixed thread count the CPU backend gives bit-identical logits run to run, as ggml does: the
 * first forward passes run the kernels interpreted, later ones C2-compiled, and every reduction has
 * one fixed order in both (VectorMath.sum instead of reduceLanes(ADD), whose compiled form differs);
 * work is split among threads by output rows, never by timing into a shared sum. Run alone, the first
 * pass here is cold; in the full suite the kernels may already be compiled, and then it checks that
 * nothing else (scheduling, buffer reuse, the KV cache) changes a bit.
 */
@ExtendWith(Seeded.class)
class LogitsDeterminismTest {
    private static final int RUNS = 40;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void logitsAreBitIdenticalRunToRun(int threads, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path gguf = m.writeGguf(dir.resolve("tiny.gguf"));
        int[] prompt = TransformerForwardTest.tokens(random, 100, 7);
        float[] first = null;
        float[] firstDecode = null;
        try (Ops ops = new CpuOps(threads); Model model = Model.open(gguf, ops, TransformerForwardTest.options(DType.F32))) {
            for (int run = 0; run < RUNS; run++) {
                float[] logits = model.transformer().forward(prompt, 0).clone();
                float[] decode = model.transformer().forward(new int[] {prompt[0]}, prompt.length).clone();
                if (first == null) {
                    first = logits;
                    firstDecode = decode;
                } else {
                    assertBitIdentical(first, logits, "prefill, run " + run + ", " + threads + " threads");
                    assertBitIdentical(firstDecode, decode, "decode, run " + run + ", " + threads + " threads");
                }
            }
        }
    }

    private static void assertBitIdentical(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": logit " + i + " is " + actual[i] + ", first run " + expected[i]
                        + " (differs by " + Math.abs(actual[i] - expected[i]) + ")");
            }
        }
    }
}
