package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.compare;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.oracle;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hugging Face checkpoints (config.json + safetensors, Q/K unpermuted, NEOX RoPE) against the
 * float64 oracle and against the GGUF conversion of the same weights; tolerances as derived in
 * {@link TransformerForwardTest}.
 */
@ExtendWith(Seeded.class)
class HuggingFaceCheckpointTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void huggingFaceCheckpointMatchesFloat64WithNeoxRopeAndTheGgufModel(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path hfDir = m.writeHf(dir.resolve("hf"));
        Path gguf = m.writeGguf(dir.resolve("llama.gguf"));
        int[] tokens = tokens(random, m.vocab, 7);
        try (Ops ops = open(backend);
             Model hf = Model.open(hfDir, ops, options(DType.F32));
             Model gg = Model.open(gguf, ops, options(DType.F32))) {
            assertEquals(Rope.Layout.NEOX, hf.config().rope().layout());
            float[] fromHf = hf.transformer().forward(tokens, 0);
            float[] fromGguf = gg.transformer().forward(tokens, 0);
            double[] exact = null;
            Float64Transformer ref = oracle(hf.config(), m.weights, Rope.Layout.NEOX, m);
            for (int t : tokens) {
                exact = ref.step(t);
            }
            assertClose(exact, fromHf, F32_TOLERANCE, "HF checkpoint vs float64 (NEOX on unpermuted weights)");
            assertClose(exact, fromGguf, F32_TOLERANCE, "GGUF vs the same float64 logits");
            // the permutation argument itself: interleaved RoPE on permuted weights is the same function
            Float64Transformer permuted = oracle(hf.config(), m.ggufWeights(), Rope.Layout.INTERLEAVED, m);
            double[] viaPermuted = null;
            for (int t : tokens) {
                viaPermuted = permuted.step(t);
            }
            for (int i = 0; i < exact.length; i++) {
                assertEquals(exact[i], viaPermuted[i], 1e-9 * (1 + Math.abs(exact[i])), "logit " + i);
            }
            compare(hf, oracle(hf.config(), m.weights, Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }

    /** Hugging Face checkpoints usually hold BF16: the forward pass must match float64 on the rounded weights. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void bf16HuggingFaceCheckpointMatchesFloat64OnTheRoundedWeights(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path hfDir = m.writeHf(dir.resolve("hf-bf16"), DType.BF16, "");
        try (Ops ops = open(backend); Model hf = Model.open(hfDir, ops, options(DType.F32))) {
            compare(hf, oracle(hf.config(), m.roundedToBf16(), Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }

    /**
     * Llama 3.1-style RoPE scaling from config.json reaches the kernels. The short original context
     * (64) puts the 8 pairs of a 16-wide head in all three regimes: kept, blended and divided.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void llama3RopeScalingFromConfigJsonMatchesFloat64(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path hfDir = m.writeHf(dir.resolve("hf-llama3"), DType.F32, """
                "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                 "original_max_position_embeddings": 64},""");
        double[] freq = Float64Transformer.frequencies(m.theta, m.headDim);
        int kept = 0, scaled = 0;
        for (int i = 0; i < freq.length; i++) {
            double wavelength = 2 * Math.PI / freq[i];
            if (wavelength < 64 / 4.0) {
                kept++;
            } else if (wavelength > 64 / 1.0) {
                freq[i] /= 8;
                scaled++;
            } else {
                double smooth = (64 / wavelength - 1) / (4 - 1);
                freq[i] = (1 - smooth) * freq[i] / 8 + smooth * freq[i];
            }
        }
        assertTrue(kept > 0 && scaled > 0 && kept + scaled < freq.length, "all three regimes are exercised");
        try (Ops ops = open(backend); Model hf = Model.open(hfDir, ops, options(DType.F32))) {
            compare(hf, new Float64Transformer(hf.config(), m.weights::get, Rope.Layout.NEOX, freq), random, F32_TOLERANCE);
        }
    }

    /** A checkpoint split over shards with model.safetensors.index.json (Mixtral: per-expert tensors spread over files). */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void shardedMixtralCheckpointMatchesFloat64(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.mixtral(random);
        Path hfDir = m.writeHf(dir.resolve("sharded"), DType.F32, "", 3);
        assertTrue(java.nio.file.Files.isRegularFile(hfDir.resolve("model-00003-of-00003.safetensors")));
        try (Ops ops = open(backend); Model hf = Model.open(hfDir, ops, options(DType.F32))) {
            assertEquals(4, hf.config().expertCount());
            compare(hf, oracle(hf.config(), m.weights, Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }
}
