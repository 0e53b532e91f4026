package dev.panamax.transformer.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class GeneratorTest {
    @TempDir
    Path dir;

    /** Decoding with the KV cache must pick the tokens that recomputing the whole sequence picks. */
    @Test
    void greedyGenerationEqualsArgmaxOfRecomputedSequences(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops, LoadOptions.defaults().withCacheType(DType.F32))) {
            int vocab = model.config().vocabSize();
            int[] prompt = {random.nextInt(vocab), random.nextInt(vocab), random.nextInt(vocab)};
            List<Integer> streamed = new ArrayList<>();
            GenerationResult r = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), vocab), t -> false)
                    .generate(prompt, 6, streamed::add);
            assertEquals(6, r.tokens().length);
            assertEquals(GenerationResult.StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(streamed, java.util.Arrays.stream(r.tokens()).boxed().toList());
            int[] seq = prompt;
            for (int i = 0; i < 6; i++) {
                float[][] all = model.transformer().forwardAll(seq, 0);
                int expected = argmax(all[seq.length - 1]);
                assertEquals(expected, r.tokens()[i], "token " + i);
                seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = expected;
            }
            assertTrue(r.prefillNanos() > 0 && r.decodeNanos() > 0);
            assertTrue(r.prefillTokensPerSecond() > 0 && r.decodeTokensPerSecond() > 0, r.summary());
        }
    }

    @Test
    void stopsAtEndOfGenerationAndIncludesThatToken(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops)) {
            int vocab = model.config().vocabSize();
            Generator free = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), vocab), t -> false);
            int[] all = free.generate(new int[] {1}, 5).tokens();
            int stop = all[2];
            int firstStop = 0;
            while (all[firstStop] != stop) {
                firstStop++;
            }
            GenerationResult r = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), vocab), t -> t == stop)
                    .generate(new int[] {1}, 5);
            assertEquals(GenerationResult.StopReason.END_OF_GENERATION, r.stopReason());
            assertArrayEquals(java.util.Arrays.copyOf(all, firstStop + 1), r.tokens());
        }
    }

    @Test
    void stopsWhenTheContextIsFull(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops, LoadOptions.defaults().withContextLength(12))) {
            int vocab = model.config().vocabSize();
            Generator g = new Generator(model.transformer(), new Sampler(SamplerSettings.defaults(7), vocab), t -> false);
            int[] prompt = new int[10];
            // positions 0..9 hold the prompt; tokens fed at 10 and 11 fill the cache; the last sampled token is never fed
            GenerationResult r = g.generate(prompt, 20);
            assertEquals(GenerationResult.StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(3, r.tokens().length);
            assertThrows(IllegalArgumentException.class, () -> g.generate(new int[13], 1));
        }
    }

    /** Issue 20: -n 2147483647 gave NegativeArraySizeException, -n 10^9 took 4 GB of heap; the context bounds both. */
    @Test
    void aHugeTokenLimitStopsAtTheContextWithoutSizingAnythingByTheLimit(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops, LoadOptions.defaults().withContextLength(12))) {
            int vocab = model.config().vocabSize();
            Generator g = new Generator(model.transformer(), new Sampler(SamplerSettings.defaults(3), vocab), t -> false);
            for (int limit : new int[] {Integer.MAX_VALUE, 1_000_000_000}) {
                GenerationResult r = g.generate(new int[] {1, 2}, limit);
                assertEquals(GenerationResult.StopReason.CONTEXT_FULL, r.stopReason());
                assertEquals(11, r.tokens().length); // fed at positions 2..11, plus the last one sampled
            }
        }
    }

    @Test
    void nanInTheWeightsStopsGenerationWithAClearError(Random random) throws Exception {
        Path file = TinyModels.llamaGgufWithNaN(random, dir);
        try (Ops ops = Backends.open("cpu", 2); Model model = Model.open(file, ops)) {
            int vocab = model.config().vocabSize();
            Generator g = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), vocab), t -> false);
            List<Integer> emitted = new ArrayList<>();
            NonFiniteLogitsException e = assertThrows(NonFiniteLogitsException.class, () -> g.generate(new int[] {1, 2, 3}, 5, emitted::add));
            assertEquals(3, e.position());
            assertTrue(emitted.isEmpty(), "no token may be emitted from NaN logits: " + emitted);
            assertTrue(e.getMessage().contains("not finite"), e.getMessage());
        }
    }

    @Test
    void seededSamplingIsReproducible(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        long seed = random.nextLong();
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops)) {
            int vocab = model.config().vocabSize();
            SamplerSettings s = SamplerSettings.defaults(seed).withTemperature(1.5f);
            int[] a = new Generator(model.transformer(), new Sampler(s, vocab), t -> false).generate(new int[] {1, 5}, 8).tokens();
            int[] b = new Generator(model.transformer(), new Sampler(s, vocab), t -> false).generate(new int[] {1, 5}, 8).tokens();
            assertArrayEquals(a, b);
        }
    }

    @Test
    void textStreamConcatenatesTheDecoderPieces(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops)) {
            int vocab = model.config().vocabSize();
            TokenTextDecoder letters = new TokenTextDecoder() {
                @Override
                public String decode(int token) {
                    return token % 3 == 0 ? "" : "<" + token + ">";
                }

                @Override
                public String finish() {
                    return "|end";
                }
            };
            StringBuilder text = new StringBuilder();
            GenerationResult r = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), vocab), t -> false)
                    .generate(new int[] {1}, 5, letters, text::append);
            StringBuilder expected = new StringBuilder();
            for (int t : r.tokens()) {
                expected.append(letters.decode(t));
            }
            assertEquals(expected + "|end", text.toString());
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
