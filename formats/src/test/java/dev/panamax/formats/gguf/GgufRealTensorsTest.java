package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Models;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The tensors of the real files (MODELS.md) decode through the quant codecs. Skipped without them. */
class GgufRealTensorsTest {
    /** Every tensor of every real model decodes (via the quant codecs) to finite values of the right count. */
    @TestFactory
    Stream<DynamicTest> every_real_tensor_dequantizes() throws IOException {
        Path models = Models.directory().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(models != null, "real test models not found (-Dpanamax.models); skipping");
        List<Path> files;
        try (Stream<Path> list = Files.list(models)) {
            files = list.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
        return files.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            try (GgufFile g = GgufFile.open(path); Arena arena = Arena.ofConfined()) {
                for (GgufTensorInfo info : g.tensorInfos()) {
                    Tensor t = g.tensor(info);
                    float[] values = Quants.dequantize(arena, t).toFloatArray();
                    assertEquals(info.numel(), values.length, info.name());
                    for (float v : values) {
                        assertTrue(Float.isFinite(v), info.name());
                    }
                    if (t.dtype() == DType.F32) {
                        assertArrayEquals(t.toFloatArray(), values, info.name());
                    }
                }
            }
        }));
    }

    /**
     * The Q8_0 file holds the F32 weights quantized: each value is within half a quantization step
     * of the original. Step d = amax/127 of its 32-value block, stored as f16 (relative error 2^-11),
     * so |x - q*d_f16| <= d/2 + 127*d*2^-11 < 0.57 d; we allow 0.6 d.
     */
    @Test
    void q8_0_weights_are_within_half_a_step_of_the_f32_weights() throws IOException {
        try (GgufFile f32 = GgufFile.open(Models.require("stories260K-f32.gguf"));
                GgufFile q8 = GgufFile.open(Models.require("stories260K-q8_0.gguf")); Arena arena = Arena.ofConfined()) {
            int checked = 0;
            for (GgufTensorInfo info : q8.tensorInfos()) {
                if (info.dtype() != DType.Q8_0) {
                    continue;
                }
                float[] exact = f32.tensor(info.name()).toFloatArray();
                float[] approx = Quants.dequantize(arena, q8.tensor(info)).toFloatArray();
                for (int b = 0; b < exact.length; b += 32) {
                    float amax = 0;
                    for (int i = b; i < b + 32; i++) {
                        amax = Math.max(amax, Math.abs(exact[i]));
                    }
                    double bound = 0.6 * amax / 127;
                    for (int i = b; i < b + 32; i++) {
                        assertTrue(Math.abs(exact[i] - approx[i]) <= bound, info.name() + "[" + i + "]: " + exact[i] + " vs " + approx[i]);
                    }
                }
                checked++;
            }
            assertEquals(6 * 5 + 2, checked, "token_embd, output and 6 matrices per layer (all but ffn_down) are Q8_0");
        }
    }

}
