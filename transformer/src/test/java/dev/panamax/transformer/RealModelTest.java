package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Models;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.Generator;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.SamplerSettings;
import dev.panamax.transformer.sampling.TokenTextDecoder;
import dev.panamax.transformer.tokenizer.StreamingDecoder;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real tiny models of shared/models (skipped when absent; see MODELS.md). */
class RealModelTest {
    private static final String STORIES_START =
            "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

    /** Karpathy's published temperature-0 sample of stories260K, greedy from BOS alone, decoded by the tokenizer. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void stories260KGreedyFromBosReproducesThePublishedStory(String backend) {
        Path file = Models.require("stories260K-f32.gguf");
        try (Ops ops = open(backend); Model model = Model.open(file, ops, LoadOptions.defaults().withCacheType(DType.F32))) {
            Tokenizer tokenizer = model.tokenizer();
            Generator g = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), model.config().vocabSize()),
                    tokenizer::isEog);
            StringBuilder text = new StringBuilder();
            GenerationResult r = g.generate(new int[] {tokenizer.bos()}, 40,
                    TokenTextDecoder.of(new StreamingDecoder(tokenizer)), text::append);
            assertTrue(text.toString().startsWith(STORIES_START), "generated: " + text);
            assertEquals(tokenizer.decode(r.tokens()), text.toString());
            assertEquals(40, r.tokens().length);
            assertTrue(r.prefillNanos() > 0 && r.decodeNanos() > 0, r.summary());
            // the story's opening, encoded, is what the model generated token for token
            int[] opening = tokenizer.encode("Once upon a time, there was a little girl named Lily.", false, false);
            assertArrayEquals(opening, Arrays.copyOf(r.tokens(), opening.length));
        }
    }

    /**
     * Both CPU backends produce the same greedy tokens, and their logits along the way match the
     * float64 oracle on the file's own weights (tolerance as in {@link TransformerForwardTest}:
     * dim 64, ffn 172, five layers give a first-order F32 estimate of about 2e-4; we allow twice).
     */
    @Test
    void stories260KBackendsAgreeWithEachOtherAndWithFloat64() throws Exception {
        Path file = Models.require("stories260K-f32.gguf");
        int steps = 16;
        int[][] tokens = new int[2][];
        String[] backends = {"reference", "cpu"};
        try (GgufFile gguf = GgufFile.open(file)) {
            Map<String, float[]> weights = new HashMap<>();
            for (var info : gguf.tensorInfos()) {
                weights.put(info.name(), gguf.tensor(info.name()).toFloatArray());
            }
            for (int b = 0; b < 2; b++) {
                try (Ops ops = open(backends[b]); Model model = Model.open(file, ops, LoadOptions.defaults().withCacheType(DType.F32))) {
                    ModelConfig c = model.config();
                    assertEquals(Rope.Layout.INTERLEAVED, c.rope().layout());
                    Float64Transformer ref = new Float64Transformer(c, weights::get, Rope.Layout.INTERLEAVED,
                            Float64Transformer.frequencies(c.rope().theta(), c.rope().dims()));
                    tokens[b] = new int[steps];
                    int token = gguf.model().bosTokenId().orElseThrow();
                    for (int s = 0; s < steps; s++) {
                        float[] logits = model.transformer().forward(new int[] {token}, s);
                        TransformerForwardTest.assertClose(ref.step(token), logits, 4e-4, backends[b] + " step " + s);
                        token = argmax(logits);
                        tokens[b][s] = token;
                    }
                }
            }
        }
        assertArrayEquals(tokens[0], tokens[1], "greedy tokens of reference and cpu");
    }

    @Test
    void quantizedStoriesFollowTheF32ModelsFirstGreedyTokens() {
        Path f32 = Models.require("stories260K-f32.gguf");
        Path q8 = Models.require("stories260K-q8_0.gguf");
        try (Ops ops = open("cpu"); Model a = Model.open(f32, ops); Model b = Model.open(q8, ops)) {
            // Q8_0 keeps 8 bits per weight: the story's first tokens, whose margins are large, must not change
            int[] ta = greedy(a, 8);
            int[] tb = greedy(b, 8);
            assertArrayEquals(ta, tb);
        }
    }

    private static int[] greedy(Model m, int n) {
        int[] out = new int[n];
        int token = 1;
        for (int s = 0; s < n; s++) {
            token = argmax(m.transformer().forward(new int[] {token}, s));
            out[s] = token;
        }
        return out;
    }

    static Ops open(String backend) {
        return Backends.open(backend, 2);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
