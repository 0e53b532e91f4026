package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * StarCoder 2 from GGUF and from a Hugging Face checkpoint of the same weights against
 * {@link Float64Starcoder2}: LayerNorms with biases, biases on every projection, tanh-GELU MLP,
 * tied (also when config.json does not say so) and own output, a sliding window of 4 positions
 * (shorter than the 7-token prompt). LayerNorm's mean adds one reduction
 * of length dim per norm, within the factor of two of {@link TransformerForwardTest}'s bound.
 */
@ExtendWith(Seeded.class)
class Starcoder2ForwardTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"reference, true, true, 0", "cpu, true, false, 0", "cpu, false, true, 0", "reference, true, true, 4",
            "cpu, true, true, 4"})
    void layerNormsBiasesGeluMlpAndSlidingWindowMatchFloat64FromGgufAndHf(String backend, boolean tied, boolean sayTied, int window,
                                                                          Random random)
            throws Exception {
        TinyFamilyModel m = TinyFamilies.starcoder2(random, tied, sayTied, window);
        for (Path file : new Path[] {m.writeGguf(dir.resolve("starcoder2.gguf")), m.writeHf(dir.resolve("starcoder2-hf"))}) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, new LoadOptions(3, DType.F32, 0))) {
                assertEquals("starcoder2", model.config().architecture());
                assertTrue(model.features().contains("LayerNorm with bias"), model.features().toString());
                Phi3ForwardTest.compare(model, () -> new Float64Starcoder2(m, window), random, F32_TOLERANCE, file.toString());
            }
        }
    }
}
