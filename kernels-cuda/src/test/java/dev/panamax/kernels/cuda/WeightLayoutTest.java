package dev.panamax.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernels read GGUF blocks through {@code weight_at<TYPE>} (common.cuh), which is host-callable:
 * a small host program (src/test/cuda/dequantize_rows.cu, built with nvcc) runs it on the CPU, and its
 * output must equal the Java codecs' dequantization bit for bit. This checks every block layout the
 * GPU kernels use without a GPU. Skipped where nvcc is not on the PATH.
 */
@ExtendWith(Seeded.class)
class WeightLayoutTest {
    private static final Path MODULE = Files.isDirectory(Path.of("src/test/cuda")) ? Path.of("") : Path.of("kernels-cuda");

    @Test
    void the_kernels_weight_reader_dequantizes_every_supported_dtype_like_the_codecs(Random random, @TempDir Path dir)
            throws Exception {
        Path nvcc = CommittedPtxTest.onPath("nvcc");
        assumeTrue(nvcc != null, "nvcc is not on the PATH; the host build of the weight reader is skipped");
        Path exe = dir.resolve("dequantize_rows");
        run(dir, nvcc.toString(), "-O2", "-o", exe.toString(), MODULE.resolve("src/test/cuda/dequantize_rows.cu").toAbsolutePath().toString());
        int rows = 3;
        int k = 512;
        try (Arena arena = Arena.ofShared()) {
            for (DType type : Kernel.WEIGHT_TYPES) {
                float[] values = Seeded.gaussian(random, rows * k, 0.7);
                values[5] = 0; // an exact zero and a large value exercise the scales' extremes
                values[k + 7] = 40;
                Tensor f32 = Tensor.of(arena, values, rows, k);
                Tensor w = type == DType.F32 ? f32 : type.isQuantized() ? Quants.quantize(arena, f32, type) : f32.to(arena, type);
                Path in = dir.resolve(type + ".bin");
                Path out = dir.resolve(type + ".f32");
                Files.write(in, w.data().toArray(ValueLayout.JAVA_BYTE));
                run(dir, exe.toString(), Integer.toString(type.ggmlId()), Integer.toString(k), Integer.toString(rows),
                        in.toString(), out.toString());
                float[] actual = MemorySegment.ofArray(Files.readAllBytes(out)).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
                float[] expected = Quants.dequantize(arena, w).toFloatArray();
                assertEquals(expected.length, actual.length, type.toString());
                for (int i = 0; i < expected.length; i++) {
                    if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                        fail(type + ": value " + i + " (row " + i / k + ", column " + i % k + ") reads as " + actual[i]
                                + " in the kernels but " + expected[i] + " in the codec");
                    }
                }
            }
        }
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0) {
            fail(String.join(" ", command) + " exited with " + rc + ": " + log);
        }
    }
}
