package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Granite from GGUF (Q/K permuted, interleaved RoPE) and from a Hugging Face checkpoint of the same
 * weights against {@link Float64Granite}, with scalars far from 1 (Granite 3's are 12, 0.22, 1/128 ·
 * 64/D and 8) so that a missing or inverted one fails. The scales only rescale O(1) quantities: the
 * bound of {@link TransformerForwardTest} holds relative to the logit scale.
 */
@ExtendWith(Seeded.class)
class GraniteForwardTest {
    static final TinyFamilies.GraniteScales SCALES = new TinyFamilies.GraniteScales(6, 0.3, 0.11, 4);

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"reference, false, false", "cpu, false, true", "cpu, true, false"})
    void embeddingResidualAttentionAndLogitScalesMatchFloat64FromGgufAndHf(String backend, boolean tied, boolean bias, Random random)
            throws Exception {
        TinyFamilyModel m = TinyFamilies.granite(random, tied, bias, SCALES);
        Path gguf = m.writeGguf(dir.resolve("granite.gguf"));
        Path hf = m.writeHf(dir.resolve("granite-hf"));
        for (Path file : new Path[] {gguf, hf}) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, new LoadOptions(3, DType.F32, 0))) {
                assertEquals("granite", model.config().architecture());
                assertEquals(bias, model.config().qkvBias());
                assertEquals(file == gguf ? Rope.Layout.INTERLEAVED : Rope.Layout.NEOX, model.config().rope().layout());
                Phi3ForwardTest.compare(model, () -> new Float64Granite(m, SCALES), random, F32_TOLERANCE, file.toString());
            }
        }
    }
}
