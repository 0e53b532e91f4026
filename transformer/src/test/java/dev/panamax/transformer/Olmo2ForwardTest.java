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
 * OLMo 2 from GGUF and from a Hugging Face checkpoint of the same weights against {@link Float64Olmo2}:
 * post-norms only, whole-projection Q/K RMSNorm (lengths 64 and 32 instead of Qwen3's 16 per head:
 * one reduction each, inside the bound of {@link TransformerForwardTest}).
 */
@ExtendWith(Seeded.class)
class Olmo2ForwardTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"reference, false", "cpu, false", "cpu, true"})
    void postNormsAndWholeProjectionQkNormMatchFloat64FromGgufAndHf(String backend, boolean tied, Random random) throws Exception {
        TinyFamilyModel m = TinyFamilies.olmo2(random, tied);
        for (Path file : new Path[] {m.writeGguf(dir.resolve("olmo2.gguf")), m.writeHf(dir.resolve("olmo2-hf"))}) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, new LoadOptions(3, DType.F32, 0))) {
                assertEquals("olmo2", model.config().architecture());
                assertEquals(tied, model.config().tiedEmbeddings());
                assertTrue(model.features().contains("RMSNorm after attention and after the feed-forward, none before"),
                        model.features().toString());
                Phi3ForwardTest.compare(model, () -> new Float64Olmo2(m), random, F32_TOLERANCE, file.toString());
            }
        }
    }
}
