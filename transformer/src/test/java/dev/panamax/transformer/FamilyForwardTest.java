package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.compare;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.oracle;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The families beyond Llama and Qwen2, each from GGUF and from a Hugging Face checkpoint of the same
 * weights, against {@link Float64Transformer} (whose family steps follow transformers'
 * {@code modeling_*.py}), and GGUF against Hugging Face. Tolerances as derived in
 * {@link TransformerForwardTest}: the extra per-head RMSNorm of Qwen3 adds one reduction of
 * length headDim = 24 per head, well inside the factor of two allowed there.
 */
@ExtendWith(Seeded.class)
class FamilyForwardTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"reference, false", "cpu, false", "reference, true", "cpu, true"})
    void qwen3PerHeadQkNormAndWideHeadsMatchFloat64FromGgufAndHf(String backend, boolean tied, Random random) throws Exception {
        TinyModel m = TinyModel.qwen3(random, tied);
        Path gguf = m.writeGguf(dir.resolve("qwen3.gguf"));
        Path hfDir = m.writeHf(dir.resolve("qwen3-hf"));
        int[] prompt = tokens(random, m.vocab, 7);
        try (Ops ops = open(backend);
             Model gg = Model.open(gguf, ops, options(DType.F32));
             Model hf = Model.open(hfDir, ops, options(DType.F32))) {
            for (Model model : new Model[] {gg, hf}) {
                ModelConfig c = model.config();
                assertEquals("qwen3", c.architecture());
                assertEquals(24, c.headDim());
                assertEquals(96, c.qDim());
                assertFalse(c.qkvBias());
                assertEquals(tied, c.tiedEmbeddings());
                assertEquals(Rope.Layout.NEOX, c.rope().layout());
                assertTrue(model.features().contains("per-head Q/K RMSNorm before RoPE"), model.features().toString());
            }
            Float64Transformer ref = oracle(gg.config(), m.weights, Rope.Layout.NEOX, m);
            double[] exact = null;
            for (int t : prompt) {
                exact = ref.step(t);
            }
            assertClose(exact, gg.transformer().forward(prompt, 0), F32_TOLERANCE, "GGUF qwen3 vs float64");
            assertClose(exact, hf.transformer().forward(prompt, 0), F32_TOLERANCE, "HF qwen3 vs the same float64 logits");
        }
        try (Ops ops = open(backend); Model model = Model.open(gguf, ops, options(DType.F32))) {
            compare(model, oracle(model.config(), m.ggufWeights(), Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
        try (Ops ops = open(backend); Model model = Model.open(hfDir, ops, options(DType.F32))) {
            compare(model, oracle(model.config(), m.weights, Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }

    @ParameterizedTest
    @CsvSource({"reference", "cpu"})
    void qwen2MoeSharedExpertAndUnnormalizedRoutingMatchFloat64FromGgufAndHf(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.qwen2moe(random);
        checkBothFormats(m, backend, random, "qwen2moe", "shared expert of 48 with a sigmoid gate");
    }

    @ParameterizedTest
    @CsvSource({"reference", "cpu"})
    void qwen3MoeQkNormAndRenormalizedRoutingMatchFloat64FromGgufAndHf(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.qwen3moe(random);
        checkBothFormats(m, backend, random, "qwen3moe", "SwiGLU experts of 32, top-k weights renormalized");
    }

    /** Opens the GGUF file and the HF checkpoint of {@code m}: same configuration, both against float64, prefill and decode. */
    private void checkBothFormats(TinyModel m, String backend, Random random, String architecture, String feature) throws Exception {
        Path gguf = m.writeGguf(dir.resolve(architecture + ".gguf"));
        Path hfDir = m.writeHf(dir.resolve(architecture + "-hf"));
        for (Path file : new Path[] {gguf, hfDir}) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
                ModelConfig c = model.config();
                assertEquals(architecture, c.architecture().replace("_", ""), "qwen2moe in GGUF, qwen2_moe in config.json");
                assertEquals(m.experts, c.expertCount(), file.toString());
                assertEquals(m.used, c.expertsUsed(), file.toString());
                assertEquals(m.headDim, c.headDim());
                assertEquals(m.bias, c.qkvBias());
                assertEquals(m.tied, c.tiedEmbeddings());
                assertTrue(model.features().contains(feature), model.features().toString());
                Float64Transformer ref = oracle(c, file == gguf ? m.ggufWeights() : m.weights, Rope.Layout.NEOX, m);
                ref.normalizeTopK = m.normalizeTopK;
                compare(model, ref, random, F32_TOLERANCE);
            }
        }
    }
}
