package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.api.Pooling;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BERT from GGUF and from a Hugging Face checkpoint of the same weights against {@link Float64Bert}:
 * learned positions and token type 0, the embedding LayerNorm, post-norm blocks with bidirectional
 * attention and biases, the erf GELU. Bound: {@link TransformerForwardTest#F32_TOLERANCE} relative to
 * max(1, max|exact|); every LayerNorm renormalizes, so the error does not grow with depth beyond
 * that of the Llama chain it was stated for (2 blocks, dim 64, sequences of up to 11 tokens).
 */
@ExtendWith(Seeded.class)
class BertForwardTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"reference, gguf", "cpu, gguf", "reference, hf", "cpu, hf"})
    void hiddenStatesMatchFloat64FromGgufAndHf(String backend, String format, Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 2, 4, 16, 1);
        Path file = format.equals("gguf") ? m.writeGguf(dir.resolve("bert.gguf")) : TinyBert.writeHf(m, dir.resolve("bert-hf"), null);
        try (Ops ops = open(backend); Model model = Model.open(file, ops, new LoadOptions(3, DType.F32, 0))) {
            assertEquals("bert", model.config().architecture());
            assertTrue(model.isEncoder());
            assertTrue(model.features().toString().contains("bidirectional"), model.features().toString());
            for (int length : new int[] {1, 2, 5 + random.nextInt(7)}) { // longer than the maxBatch of 3: one batch anyway
                int[] ids = ids(random, length);
                double[][] exact = new Float64Bert(m).hidden(ids);
                float[][] hidden = model.transformer().hiddenStates(ids, 0);
                for (int t = 0; t < length; t++) {
                    assertClose(exact[t], hidden[t], F32_TOLERANCE, file + " token " + t + " of " + Arrays.toString(ids));
                }
            }
        }
    }

    @Test
    void eachTokenSeesTheLaterOnes(Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 2, 4, 16, 1);
        Path file = m.writeGguf(dir.resolve("bert.gguf"));
        try (Ops ops = open("cpu"); Model model = Model.open(file, ops, new LoadOptions(8, DType.F32, 0))) {
            int[] ids = ids(random, 6);
            int[] changed = ids.clone();
            changed[5] = changed[5] == 7 ? 8 : 7;
            float[] first = model.transformer().hiddenStates(ids, 0)[0];
            float[] firstChanged = model.transformer().hiddenStates(changed, 0)[0];
            assertTrue(!Arrays.equals(first, firstChanged), "the first token's state must depend on the last token");
        }
    }

    @ParameterizedTest
    @CsvSource({"1, MEAN", "2, CLS", "0, CLS"})
    void embedPoolsAsTheGgufSaysAndNormalizes(int poolingType, Pooling expected, Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 2, 4, 32, poolingType);
        Path file = m.writeGguf(dir.resolve("bert.gguf"));
        List<String> texts = List.of("The cats sat on a mat.", "a dog, sitting!", "Mats");
        try (LanguageModel model = LanguageModel.open(file, options())) {
            assertEquals(expected, model.pooling()); // 0: no key, an encoder's fallback is [CLS]
            List<float[]> raw = model.embed(texts);
            List<float[]> unit = model.embed(texts, true);
            for (int i = 0; i < texts.size(); i++) {
                int[] ids = model.tokenizer().encode(texts.get(i), true, false);
                assertEquals(TinyBert.CLS, ids[0], "[CLS] first");
                assertEquals(TinyBert.SEP, ids[ids.length - 1], "[SEP] last");
                double[] exact = pool(new Float64Bert(m).hidden(ids), expected);
                assertClose(exact, raw.get(i), F32_TOLERANCE, texts.get(i));
                double norm = Math.sqrt(Arrays.stream(exact).map(x -> x * x).sum());
                assertClose(Arrays.stream(exact).map(x -> x / norm).toArray(), unit.get(i), F32_TOLERANCE, texts.get(i) + " normalized");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mean", "cls"})
    void aCheckpointPoolsAsItsSentenceTransformersModuleSaysAndEqualsTheGguf(String pooling, Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 2, 4, 32, pooling.equals("mean") ? 1 : 2);
        Path gguf = m.writeGguf(dir.resolve("bert.gguf"));
        Path hf = TinyBert.writeHf(m, dir.resolve("bert-hf"), pooling);
        List<String> texts = List.of("the dog sat on the cat", "Sitting.");
        try (LanguageModel a = LanguageModel.open(gguf, options()); LanguageModel b = LanguageModel.open(hf, options())) {
            assertEquals(a.pooling(), b.pooling());
            for (String t : texts) {
                assertArrayEquals(a.tokenizer().encode(t, true, false), b.tokenizer().encode(t, true, false), t);
            }
            List<float[]> x = a.embed(texts, true), y = b.embed(texts, true);
            for (int i = 0; i < texts.size(); i++) {
                float[] fromGguf = x.get(i);
                double[] exact = new double[fromGguf.length];
                Arrays.setAll(exact, j -> fromGguf[j]);
                assertClose(exact, y.get(i), 1e-6, texts.get(i)); // the same weights and ops: equal up to summation order
            }
        }
    }

    @Test
    void anEncoderRefusesToGenerateAndToContinueASequence(Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 1, 4, 16, 1);
        Path file = m.writeGguf(dir.resolve("bert.gguf"));
        try (Ops ops = open("cpu"); Model model = Model.open(file, ops, new LoadOptions(4, DType.F32, 0))) {
            var e = assertThrows(UnsupportedOperationException.class, () -> model.transformer().forward(new int[] {2, 7, 3}, 0));
            assertTrue(e.getMessage().contains("encoder"), e.getMessage());
            var c = assertThrows(IllegalArgumentException.class, () -> model.transformer().hiddenStates(new int[] {7}, 3));
            assertTrue(c.getMessage().contains("position 0"), c.getMessage());
        }
    }

    @Test
    void aCausalBertIsRefusedNamingTheKey(Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 1, 4, 16, 1);
        m.metadata.add(w -> w.putBool("bert.attention.causal", true));
        Path file = m.writeGguf(dir.resolve("causal.gguf"));
        try (Ops ops = open("cpu")) {
            var e = assertThrows(UnsupportedModelException.class, () -> Model.open(file, ops, new LoadOptions(4, DType.F32, 0)));
            assertTrue(e.getMessage().contains("bert.attention.causal"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void aTaskModelsCheckpointIsReadUnderItsBertPrefix(String backend, Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 2, 4, 16, 1);
        m.hfNames.replaceAll((gguf, hf) -> "bert." + hf); // as BertForMaskedLM saves its BertModel
        int vocab = TinyBert.VOCAB.size();
        m.put("unread.cls_bias", "cls.predictions.bias", Seeded.gaussian(random, vocab, 0.5), vocab); // the task's head
        Path hf = TinyBert.writeHf(m, dir.resolve("bert-mlm"), null);
        try (SafetensorsFile f = SafetensorsFile.open(hf.resolve("model.safetensors"))) {
            assertTrue(f.contains("bert.embeddings.word_embeddings.weight"), "the fixture writes the task model's names");
            assertTrue(f.contains("bert.encoder.layer.1.output.LayerNorm.bias"));
            assertFalse(f.contains("embeddings.word_embeddings.weight"));
        }
        try (Ops ops = open(backend); Model model = Model.open(hf, ops, new LoadOptions(8, DType.F32, 0))) {
            int[] ids = ids(random, 5 + random.nextInt(7));
            double[][] exact = new Float64Bert(m).hidden(ids);
            float[][] hidden = model.transformer().hiddenStates(ids, 0);
            for (int t = 0; t < ids.length; t++) {
                assertClose(exact[t], hidden[t], F32_TOLERANCE, hf + " token " + t + " of " + Arrays.toString(ids));
            }
        }
    }

    @Test
    void aCheckpointUnderAnotherPrefixIsRefusedNamingTheTensor(Random random) throws Exception {
        TinyFamilyModel m = TinyBert.model(random, 64, 96, 1, 4, 16, 1);
        m.hfNames.replaceAll((gguf, hf) -> "roberta." + hf);
        Path hf = TinyBert.writeHf(m, dir.resolve("roberta-named"), null);
        try (Ops ops = open("cpu")) {
            var e = assertThrows(FormatException.class, () -> Model.open(hf, ops, new LoadOptions(4, DType.F32, 0)));
            assertEquals("embeddings.word_embeddings.weight", e.field(), e.getMessage());
            assertTrue(e.getMessage().contains("bert.embeddings.word_embeddings.weight"), e.getMessage());
            assertTrue(e.getMessage().contains(hf.toString()), e.getMessage());
        }
    }

    private static ModelOptions options() {
        return ModelOptions.defaults().threads(2).load(LoadOptions.defaults().withCacheType(DType.F32));
    }

    /** [CLS], random word pieces, [SEP]: what the tokenizer gives a text. */
    private static int[] ids(Random random, int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = TinyBert.SPECIALS + random.nextInt(TinyBert.VOCAB.size() - TinyBert.SPECIALS);
        }
        ids[0] = TinyBert.CLS;
        if (length > 1) {
            ids[length - 1] = TinyBert.SEP;
        }
        return ids;
    }

    static double[] pool(double[][] hidden, Pooling pooling) {
        return switch (pooling) {
            case CLS -> hidden[0];
            case LAST -> hidden[hidden.length - 1];
            case MEAN -> {
                double[] mean = new double[hidden[0].length];
                for (double[] h : hidden) {
                    for (int j = 0; j < mean.length; j++) {
                        mean[j] += h[j] / hidden.length;
                    }
                }
                yield mean;
            }
        };
    }
}
