package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Models;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class GgufConfigReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryFieldOfALlamaFile(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        try (GgufFile f = GgufFile.open(m.writeGguf(dir.resolve("m.gguf")))) {
            ModelConfig c = GgufConfigReader.read(f);
            assertEquals(new ModelConfig("llama", 64, 96, 3, 4, 2, 16, 100, 32, 1e-5f,
                    new RopeConfig(Rope.Layout.INTERLEAVED, 16, 10000, new RopeScaling.None()), false, false, 0, 0), c);
        }
    }

    @Test
    void qwen2UsesNeoxRopeAndDetectsBiasesAndTiedEmbeddings(Random random) throws Exception {
        try (GgufFile f = GgufFile.open(TinyModel.qwen2(random).writeGguf(dir.resolve("q.gguf")))) {
            ModelConfig c = GgufConfigReader.read(f);
            assertEquals(Rope.Layout.NEOX, c.rope().layout());
            assertTrue(c.qkvBias());
            assertTrue(c.tiedEmbeddings());
        }
    }

    @Test
    void ropeFreqsTensorBecomesFrequencyFactors(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        float[] factors = {1, 1, 1.5f, 2, 4, 8, 8, 8};
        Path file = m.writeGguf(dir.resolve("l3.gguf"),
                w -> w.addTensor("rope_freqs.weight", DType.F32, new long[] {8}, MemorySegment.ofArray(factors)));
        try (GgufFile f = GgufFile.open(file)) {
            RopeConfig rope = GgufConfigReader.read(f).rope();
            RopeScaling.FrequencyFactors s = assertInstanceOf(RopeScaling.FrequencyFactors.class, rope.scaling());
            assertArrayEquals(factors, s.factors());
            float[] freq = rope.inverseFrequencies();
            for (int i = 0; i < 8; i++) {
                assertEquals(Math.pow(10000, -2.0 * i / 16) / factors[i], freq[i], 1e-6 * freq[i], "pair " + i);
            }
        }
    }

    @Test
    void unsupportedRopeScalingIsRejectedByName(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("dynamic.gguf"), w -> {
            w.putString("llama.rope.scaling.type", "dynamic");
            w.putFloat32("llama.rope.scaling.factor", 4);
        });
        try (GgufFile f = GgufFile.open(file)) {
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> GgufConfigReader.read(f));
            assertTrue(e.getMessage().contains("dynamic"), e.getMessage());
        }
        // yarn is read as llama.cpp applies it: correction range truncated, attention factor 0.1 ln(factor) + 1
        Path yarn = m.writeGguf(dir.resolve("yarn.gguf"), w -> {
            w.putString("llama.rope.scaling.type", "yarn");
            w.putFloat32("llama.rope.scaling.factor", 4);
            w.putUInt32("llama.rope.scaling.original_context_length", 8);
        });
        try (GgufFile f = GgufFile.open(yarn)) {
            assertEquals(new RopeScaling.Yarn(4, 8, 32, 1, true, 0.1 * Math.log(4) + 1), GgufConfigReader.read(f).rope().scaling());
        }
    }

    @Test
    void stories260KConfigMatchesItsModelCard() throws Exception {
        try (GgufFile f = GgufFile.open(Models.require("stories260K-f32.gguf"))) {
            ModelConfig c = GgufConfigReader.read(f);
            // MODELS.md: dim 64, ffn 172, 5 layers, 8 heads, 4 kv heads, head_dim 8, vocab 512, ctx 2048, eps 1e-5
            assertEquals(64, c.dim());
            assertEquals(172, c.ffnDim());
            assertEquals(5, c.layers());
            assertEquals(8, c.heads());
            assertEquals(4, c.kvHeads());
            assertEquals(8, c.headDim());
            assertEquals(512, c.vocabSize());
            assertEquals(2048, c.contextLength());
            assertEquals(1e-5f, c.rmsEps());
            assertEquals(Rope.Layout.INTERLEAVED, c.rope().layout());
            assertFalse(c.tiedEmbeddings(), "output.weight is stored");
            assertFalse(c.isMoe());
        }
    }
}
