package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DeepSeek V2/V3 ({@code deepseek2}): GGUF (kv_b whole and split into k_b / v_b) and Hugging Face
 * checkpoints of one tiny model, with and without the q LoRA path and YaRN, V3's routing and V2-Lite's
 * configuration (softmax without renormalization, YaRN ×40), against the naive float64
 * forward of {@link Float64DeepSeek} (every head's K and V expanded and cached), so the absorbed
 * latent cache is checked against the formulation it replaces, for a whole prompt and token by
 * token. Tolerance as derived in {@link TransformerForwardTest} (2e-4 of the logit scale): the
 * reductions here are no longer (dim 32, latent 16, ffn 40, at most 12 positions), the per-head
 * absorption adds one product of length N = 8 and one of L = 16 per head.
 */
@ExtendWith(Seeded.class)
class DeepSeek2ForwardTest {
    @TempDir
    Path dir;

    /** lite: {@link TinyDeepSeek#v2Lite} (no q LoRA, softmax gating without renormalization, YaRN ×40), qLora and yarn unused. */
    @ParameterizedTest
    @CsvSource({"reference, true, 24, 1, false", "cpu, false, 24, 4, false", "cpu, true, 0, 4, false", "reference, false, 0, 1, false",
            "cpu, true, 0, 40, true", "reference, false, 0, 40, true"})
    void latentCacheMatchesTheNaiveFloat64FormulationFromGgufAndHf(String backend, boolean split, int qLora, double yarn, boolean lite,
                                                                   Random random) throws Exception {
        TinyDeepSeek m = lite ? TinyDeepSeek.v2Lite(random, false) : new TinyDeepSeek(random, qLora, yarn);
        Path gguf = m.writeGguf(dir.resolve("ds.gguf"), split);
        Path hf = m.writeHf(dir.resolve("ds-hf"), DType.F32);
        int[] prompt = tokens(random, m.vocab, 7);
        Float64DeepSeek ref = new Float64DeepSeek(m);
        double[][] exact = new double[prompt.length][];
        for (int i = 0; i < prompt.length; i++) {
            exact[i] = ref.step(prompt[i]);
        }
        for (Path file : new Path[] {gguf, hf}) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
                ModelConfig c = model.config();
                assertEquals(1, c.kvHeads());
                assertEquals(m.kvLora + m.rope, c.headDim());
                assertTrue(model.transformer().cache().valuesAreKeys());
                assertEquals(m.yarnFactor != 1, c.rope().scaling() instanceof RopeScaling.Yarn, c.rope().toString());
                // the whole prompt at once
                assertClose(exact[prompt.length - 1], model.transformer().forward(prompt, 0), F32_TOLERANCE, file + " prompt");
                // and again token by token over the same cache (decode: one row at a time)
                for (int i = 0; i < prompt.length; i++) {
                    assertClose(exact[i], model.transformer().forward(new int[] {prompt[i]}, i), F32_TOLERANCE, file + " token " + i);
                }
            }
        }
    }

    @Test
    void anF16LatentCacheStaysCloseAndInspectStatesTheCacheAndActiveBytes(Random random) throws Exception {
        TinyDeepSeek m = new TinyDeepSeek(random, 24, 1);
        Path gguf = m.writeGguf(dir.resolve("ds.gguf"), true);
        int[] prompt = tokens(random, m.vocab, 6);
        Float64DeepSeek ref = new Float64DeepSeek(m);
        double[] exact = null;
        for (int t : prompt) {
            exact = ref.step(t);
        }
        try (Ops ops = open("cpu"); Model model = Model.open(gguf, ops, options(DType.F16))) {
            // F16 rounds each cached latent entry by 2⁻¹²: the 3e-3 bound of TransformerForwardTest
            assertClose(exact, model.transformer().forward(prompt, 0), 3e-3, "F16 latent cache");
            String features = model.features().toString();
            // 3 layers x (16 + 4) entries x 2 bytes; naive: 4 heads x (8 + 4 + 6)
            assertTrue(features.contains("20 entries per position and layer (a naive cache: 72), 120 bytes per token in F16"), features);
            assertTrue(features.contains("parameters read"), features);
        }
    }

    /** A GGUF of the tiny model with one metadata key replaced. */
    private Path withKey(TinyDeepSeek m, String key, long value) throws Exception {
        Path good = m.writeGguf(dir.resolve("good.gguf"), false);
        GgufWriter w = new GgufWriter();
        try (GgufFile g = GgufFile.open(good)) {
            for (String k : g.metadata().keys()) {
                if (k.equals(key)) {
                    continue;
                }
                Object v = g.metadata().get(k);
                if (v instanceof String s) {
                    w.putString(k, s);
                } else if (v instanceof Boolean b) {
                    w.putBool(k, b);
                } else if (v instanceof Float f) {
                    w.putFloat32(k, f);
                } else if (v instanceof Number n) {
                    w.putUInt32(k, n.longValue());
                }
            }
            w.putUInt32(key, value);
            for (String name : m.weights.keySet()) {
                w.addTensor(name, DType.F32, m.shapes.get(name), MemorySegment.ofArray(m.weights.get(name)));
            }
        }
        Path bad = dir.resolve(key + "-" + value + ".gguf");
        w.write(bad);
        return bad;
    }

    @ParameterizedTest
    @CsvSource({"deepseek2.attention.kv_lora_rank, 0", "deepseek2.expert_count, 0", "deepseek2.expert_used_count, 9",
            "deepseek2.expert_group_count, 3", "deepseek2.expert_group_used_count, 5", "deepseek2.leading_dense_block_count, 4",
            "deepseek2.attention.key_length, 4"})
    void malformedLatentOrExpertMetadataNamesTheKeyAndValue(String key, long value, Random random) throws Exception {
        TinyDeepSeek m = new TinyDeepSeek(random, 24, 1);
        Path bad = withKey(m, key, value);
        try (Ops ops = open("reference")) {
            FormatException e = assertThrows(FormatException.class, () -> Model.open(bad, ops, options(DType.F32)).close());
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains(Long.toString(value)), e.getMessage());
        }
    }
}
