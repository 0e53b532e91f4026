package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufValueType;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** ModelQuantizer on a small model written here (no shared models needed). */
@ExtendWith(Seeded.class)
class ModelQuantizerTest {
    @TempDir
    Path dir;

    /** A 2-layer llama-like model: F32 matrices (one F16), rows of 256 and 96, plus keys to move and drop. */
    private Path writeModel(Arena arena, Random random) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putUInt32("general.file_type", 0);
        w.putUInt32("llama.block_count", 2);
        w.putUInt16("split.count", 1);
        w.putString("general.name", "fixture");
        w.addTensor("token_embd.weight", Tensor.of(arena, Seeded.gaussian(random, 16 * 256, 0.02), 16, 256));
        w.addTensor("output_norm.weight", Tensor.of(arena, Seeded.nonZeroFloats(random, 256, 1f), 256));
        w.addTensor("output.weight", Tensor.of(arena, Seeded.gaussian(random, 16 * 256, 0.02), 16, 256));
        for (int i = 0; i < 2; i++) {
            w.addTensor("blk." + i + ".attn_v.weight", Tensor.of(arena, Seeded.gaussian(random, 8 * 256, 0.02), 8, 256));
            w.addTensor("blk." + i + ".ffn_down.weight",
                    Tensor.of(arena, Seeded.gaussian(random, 256 * 96, 0.02), 256, 96).to(arena, DType.F16));
            w.addTensor("blk." + i + ".attn_norm.weight", Tensor.of(arena, Seeded.nonZeroFloats(random, 256, 1f), 256));
        }
        Path in = dir.resolve("model-f32.gguf");
        w.write(in);
        return in;
    }

    @Test
    void quantized_model_holds_the_planned_types_ggml_bytes_and_llama_quantize_metadata(Random random) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Path in = writeModel(arena, random);
            Path out = dir.resolve("model-q4_k_m.gguf");
            QuantizationPlan plan = ModelQuantizer.quantize(in, out, QuantType.Q4_K_M, false);
            try (GgufFile src = GgufFile.open(in); GgufFile q = GgufFile.open(out)) {
                List<String> keys = List.copyOf(q.metadata().keys());
                assertEquals(List.of("general.architecture", "llama.block_count", "general.name",
                        "general.quantization_version", "general.file_type"), keys, "split keys dropped, versions last");
                assertEquals(15, q.metadata().getLong("general.file_type"));
                assertEquals(GgufValueType.UINT32, q.metadata().typeOf("general.file_type"));
                assertEquals(2, q.metadata().getLong("general.quantization_version"));

                assertEquals(GgmlType.Q6_K, q.findTensorInfo("output.weight").orElseThrow().type());
                assertEquals(GgmlType.Q4_K, q.findTensorInfo("token_embd.weight").orElseThrow().type());
                assertEquals(GgmlType.Q4_K, q.findTensorInfo("blk.0.attn_v.weight").orElseThrow().type());
                assertEquals(GgmlType.Q6_K, q.findTensorInfo("blk.1.attn_v.weight").orElseThrow().type(), "use_more_bits(1, 2)");
                // ffn_down of layer 1 wants Q6_K, rows of 96 fit only 32-blocks: Q8_0; layer 0 wants Q4_K -> Q5_0
                assertEquals(GgmlType.Q8_0, q.findTensorInfo("blk.1.ffn_down.weight").orElseThrow().type());
                assertEquals(GgmlType.Q5_0, q.findTensorInfo("blk.0.ffn_down.weight").orElseThrow().type());
                assertEquals(GgmlType.F32, q.findTensorInfo("blk.0.attn_norm.weight").orElseThrow().type());

                for (QuantizationPlan.Entry e : plan.entries()) {
                    byte[] got = q.tensorBytes(e.name()).toArray(ValueLayout.JAVA_BYTE);
                    byte[] want;
                    if (e.converts()) {
                        Tensor f32 = Quants.dequantize(arena, src.tensor(e.name()));
                        want = Quants.quantize(arena, f32, e.to().dtype().orElseThrow()).data().toArray(ValueLayout.JAVA_BYTE);
                    } else {
                        want = src.tensorBytes(e.name()).toArray(ValueLayout.JAVA_BYTE);
                    }
                    assertArrayEquals(want, got, e.name());
                }
                assertEquals("blk.0.attn_norm.weight", q.tensorInfos().get(3).name(), "loader order: by layer, then name");
            }
        }
    }

    @Test
    void requantizing_a_quantized_tensor_is_refused_and_leaves_no_file(Random random) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Path in = writeModel(arena, random);
            Path q8 = dir.resolve("model-q8_0.gguf");
            ModelQuantizer.quantize(in, q8, QuantType.Q8_0, true);
            Path out = dir.resolve("model-q4_0.gguf");
            var e = assertThrows(UnsupportedOperationException.class, () -> ModelQuantizer.quantize(q8, out, QuantType.Q4_0, true));
            assertTrue(e.getMessage().contains("Q8_0") && e.getMessage().contains("output.weight"), e.getMessage());
            assertFalse(Files.exists(out));
            try (var files = Files.list(dir)) {
                assertEquals(2, files.count(), "no temporary file left behind");
            }
            // same type again: every tensor is copied, nothing requantized
            Path again = dir.resolve("model-q8_0-again.gguf");
            ModelQuantizer.quantize(q8, again, QuantType.Q8_0, true);
            assertArrayEquals(Files.readAllBytes(q8), Files.readAllBytes(again));
        }
    }
}
