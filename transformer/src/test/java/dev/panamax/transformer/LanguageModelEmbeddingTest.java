package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.api.Pooling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link LanguageModel#embed}: the final-normed hidden states of a text's tokens, pooled as the
 * file's {@code llama.pooling_type} says, against {@link Float64Transformer}'s hidden states pooled
 * in double precision. Tolerance: {@link TransformerForwardTest#F32_TOLERANCE}'s bound for the logits
 * covers the hidden states too (the same chain less the classifier), relative to max(1, max|exact|).
 */
@ExtendWith(Seeded.class)
class LanguageModelEmbeddingTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1, MEAN", "2, CLS", "3, LAST"})
    void embeddingIsTheNamedPoolingOfTheFloat64HiddenStates(int poolingType, Pooling expected, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("embed.gguf"), w -> {
            withTokenizer(w, m.vocab);
            w.putUInt32("llama.pooling_type", poolingType);
        });
        List<String> texts = List.of("the cat sat", "a dog", "abcdefg hij");
        try (LanguageModel model = LanguageModel.open(file, f32Cache())) {
            assertEquals(expected, model.pooling());
            List<float[]> raw = model.embed(texts);
            List<float[]> unit = model.embed(texts, true);
            for (int i = 0; i < texts.size(); i++) {
                int[] ids = model.tokenizer().encode(texts.get(i), true, false);
                assertTrue(ids.length >= 2, "the text has several tokens to pool");
                double[] exact = pooled(m, model.model().config(), ids, expected);
                TransformerForwardTest.assertClose(exact, raw.get(i), F32_TOLERANCE, texts.get(i));
                double norm = Math.sqrt(Arrays.stream(exact).map(x -> x * x).sum());
                TransformerForwardTest.assertClose(Arrays.stream(exact).map(x -> x / norm).toArray(), unit.get(i), F32_TOLERANCE,
                        texts.get(i) + " normalized");
            }
        }
    }

    @Test
    void anEmbeddingDoesNotDependOnWhatTheSessionDidBefore(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("embed.gguf"), w -> withTokenizer(w, m.vocab));
        try (LanguageModel model = LanguageModel.open(file, f32Cache())) {
            float[] first = model.embed(List.of("the cat")).getFirst();
            model.embed(List.of("something longer first"));
            assertEquals(Arrays.toString(first), Arrays.toString(model.embed(List.of("the cat")).getFirst()));
        }
    }

    @Test
    void poolingNoneIsRefusedNamingTheKey(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("none.gguf"), w -> {
            withTokenizer(w, m.vocab);
            w.putUInt32("llama.pooling_type", 0);
        });
        try (LanguageModel model = LanguageModel.open(file, f32Cache())) {
            var e = assertThrows(UnsupportedModelException.class, () -> model.embed(List.of("a")));
            assertTrue(e.getMessage().contains("llama.pooling_type = 0"), e.getMessage());
        }
    }

    private static ModelOptions f32Cache() {
        return ModelOptions.defaults().threads(2).load(LoadOptions.defaults().withCacheType(DType.F32));
    }

    /** The oracle's hidden state after each token, pooled in double precision. */
    private static double[] pooled(TinyModel m, ModelConfig c, int[] ids, Pooling pooling) {
        Float64Transformer ref = new Float64Transformer(c, m.ggufWeights()::get, Rope.Layout.INTERLEAVED,
                Float64Transformer.frequencies(m.theta, m.headDim));
        double[][] hidden = new double[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            ref.step(ids[i]);
            hidden[i] = ref.hidden();
        }
        return switch (pooling) {
            case CLS -> hidden[0];
            case LAST -> hidden[ids.length - 1];
            case MEAN -> {
                double[] mean = new double[hidden[0].length];
                for (double[] h : hidden) {
                    for (int j = 0; j < mean.length; j++) {
                        mean[j] += h[j] / ids.length;
                    }
                }
                yield mean;
            }
        };
    }

    /** A SentencePiece vocabulary of {@code vocab} tokens: controls, "▁", letters and "▁"+letter, padded with control tokens. */
    private static void withTokenizer(GgufWriter w, int vocab) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "▁"));
        for (char c = 'a'; c <= 'z'; c++) {
            tokens.add(String.valueOf(c));
            tokens.add("▁" + c);
        }
        int pieces = tokens.size();
        while (tokens.size() < vocab) {
            tokens.add("<extra_" + tokens.size() + ">");
        }
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            types[i] = i == 0 ? 2 : i < 3 || i >= pieces ? 3 : 1;
            scores[i] = i < 3 ? 0 : -i;
        }
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putFloat32Array("tokenizer.ggml.scores", scores);
        w.putInt32Array("tokenizer.ggml.token_type", types);
        w.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
    }
}
