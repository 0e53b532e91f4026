package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.compare;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.oracle;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.safetensors.Float8;
import dev.panamax.formats.safetensors.SafetensorsDType;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Hugging Face checkpoint whose projections are FP8 E4M3 with 128 x 128 block scales (DeepSeek V3's
 * layout, {@code *_proj.weight} plus {@code *_proj.weight_scale_inv}) loads through the formats
 * module's conversion and matches the float64 oracle. The block scales here are powers of two, so
 * that {@code fp8 * scale} is exact in float and in BF16: the oracle's weights are then exactly the
 * model's, and the tolerance is the F32 one (non-power-of-two scales and BF16 rounding are checked
 * in the formats module's {@code BlockScaledFp8Test}).
 */
@ExtendWith(Seeded.class)
class Fp8CheckpointTest {
    @TempDir
    Path dir;

    /** The E4M3 byte nearest to {@code v} (any one on a tie), never a NaN code. */
    private static byte nearestE4m3(float v) {
        int best = 0;
        float bestErr = Float.POSITIVE_INFINITY;
        for (int c = 0; c < 256; c++) {
            float value = Float8.e4m3ToFloat((byte) c);
            if (!Float.isNaN(value) && Math.abs(value - v) < bestErr) {
                bestErr = Math.abs(value - v);
                best = c;
            }
        }
        return (byte) best;
    }

    /**
     * {@code values} ([rows, cols]) in FP8 with power-of-two block scales {@code 2^ceil(log2(amax / 448))};
     * returns the scales and fills {@code codes}; decoded values are written back into {@code values}.
     */
    static float[] quantize(float[] values, int rows, int cols, byte[] codes) {
        int rb = (rows + 127) / 128, cb = (cols + 127) / 128;
        float[] scales = new float[rb * cb];
        for (int i = 0; i < rb; i++) {
            for (int j = 0; j < cb; j++) {
                float amax = 0;
                for (int r = 128 * i; r < Math.min(rows, 128 * i + 128); r++) {
                    for (int c = 128 * j; c < Math.min(cols, 128 * j + 128); c++) {
                        amax = Math.max(amax, Math.abs(values[r * cols + c]));
                    }
                }
                float s = amax == 0 ? 1 : Math.scalb(1f, Math.getExponent(amax / 448) + 1);
                scales[i * cb + j] = s;
                for (int r = 128 * i; r < Math.min(rows, 128 * i + 128); r++) {
                    for (int c = 128 * j; c < Math.min(cols, 128 * j + 128); c++) {
                        codes[r * cols + c] = nearestE4m3(values[r * cols + c] / s);
                        values[r * cols + c] = Float8.e4m3ToFloat(codes[r * cols + c]) * s;
                    }
                }
            }
        }
        return scales;
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void fp8_block_scaled_projections_load_as_bf16_and_match_float64(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        // the model's own weights become their FP8 values: the oracle then sees what the checkpoint holds
        for (Map.Entry<String, float[]> e : m.weights.entrySet()) {
            long[] shape = m.shapes.get(e.getKey());
            if (isProjection(e.getKey())) {
                quantize(e.getValue(), (int) shape[0], (int) shape[1], new byte[e.getValue().length]);
            }
        }
        Path hf = m.writeHf(dir.resolve("hf"));
        // rewrite model.safetensors with the projections as F8_E4M3 + weight_scale_inv (re-quantizing
        // values that are already FP8 times a power of two gives them back exactly)
        Path file = hf.resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
        int converted = 0;
        try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofConfined()) {
            for (String name : f.tensorNames()) {
                Tensor t = f.tensor(name);
                if (name.endsWith("_proj.weight")) {
                    int rows = (int) t.size(0), cols = (int) t.size(1);
                    float[] values = t.toFloatArray();
                    byte[] codes = new byte[values.length];
                    float[] scales = quantize(values, rows, cols, codes);
                    w.addRaw(name, SafetensorsDType.F8_E4M3, t.shape(), MemorySegment.ofArray(codes));
                    w.add(name + "_scale_inv", Tensor.of(arena, scales, (rows + 127) / 128, (cols + 127) / 128));
                    converted++;
                } else {
                    w.add(name, t.contiguous(arena));
                }
            }
            Path fp8 = hf.resolve("model.fp8");
            w.write(fp8);
            Files.move(fp8, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertTrue(converted == 7 * m.layers, converted + " projections converted");
        try (Ops ops = open(backend); Model model = Model.open(hf, ops, options(DType.F32))) {
            compare(model, oracle(model.config(), m.weights, Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }

    private static boolean isProjection(String gguf) {
        return gguf.matches("blk\\.\\d+\\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)\\.weight");
    }
}
