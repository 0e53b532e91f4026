package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hugging Face's MXFP4 blocks re-packed as ggml's: decoded by ggml's codec ({@link Quants}) they
 * give exactly the values transformers' {@code convert_moe_packed_tensors} decodes (its FP4 table,
 * low nibble first, times {@code 2^(scale - 127)}), written here independently.
 */
@ExtendWith(Seeded.class)
class HfMxfp4Test {
    private static final double[] FP4 = {0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6};
    private static final Path FILE = Path.of("model.safetensors");

    @Test
    void repackedBlocksDecodeToTheValuesTransformersDecodes(Random random) {
        int experts = 3, rows = 6, groups = 3; // cols = 96
        try (Arena arena = Arena.ofConfined()) {
            Tensor blocks = Tensor.allocate(arena, DType.I8, experts, rows, groups, 16);
            Tensor scales = Tensor.allocate(arena, DType.I8, experts, rows, groups);
            byte[] b = new byte[(int) blocks.numel()], s = new byte[(int) scales.numel()];
            random.nextBytes(b);
            for (int i = 0; i < s.length; i++) {
                s[i] = (byte) (118 + random.nextInt(20)); // 2^-9 ... 2^10
            }
            blocks.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(b));
            scales.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(s));
            for (int start = 0; start < 2; start++) {
                for (int step : new int[] {1, 2}) {
                    if (start >= step) {
                        continue;
                    }
                    Tensor ggml = HfMxfp4.toGgml(FILE, "w", blocks, scales, start, step, arena);
                    assertEquals(DType.MXFP4, ggml.dtype());
                    assertArrayEquals(new long[] {experts, rows / step, groups * 32}, ggml.shape());
                    float[] decoded = Quants.dequantize(arena, ggml).toFloatArray();
                    int k = 0;
                    for (int e = 0; e < experts; e++) {
                        for (int r = start; r < rows; r += step) {
                            for (int g = 0; g < groups; g++) {
                                int block = (e * rows + r) * groups + g;
                                double scale = Math.pow(2, (s[block] & 0xFF) - 127);
                                for (int v = 0; v < 32; v++) {
                                    int code = (b[block * 16 + v / 2] & 0xFF) >> (v % 2 == 0 ? 0 : 4) & 0xF;
                                    assertEquals(FP4[code] * scale, decoded[k++], 0, "expert " + e + " row " + r + " value " + (g * 32 + v));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void mismatchedScalesAreRefusedNamingTheTensor() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor blocks = Tensor.allocate(arena, DType.I8, 2, 4, 2, 16);
            Tensor scales = Tensor.allocate(arena, DType.I8, 2, 4, 3);
            FormatException e = assertThrows(FormatException.class, () -> HfMxfp4.toGgml(FILE, "mlp.experts.down_proj", blocks, scales,
                    0, 1, arena));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("mlp.experts.down_proj_blocks"), e.getMessage());
            assertThrows(FormatException.class, () -> HfMxfp4.toGgml(FILE, "w", Tensor.allocate(arena, DType.I8, 2, 3, 2, 16),
                    Tensor.allocate(arena, DType.I8, 2, 3, 2), 0, 2, arena));
        }
    }
}
