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
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link Generator#generate(int[], int, int, java.util.function.IntConsumer)}: continuing a sequence the cache partly holds. */
@ExtendWith(Seeded.class)
class GeneratorContinuationTest {
    @TempDir
    Path dir;

    /**
     * A first generation leaves prompt + reply (but its last token) in the cache; continuing with that
     * sequence plus new tokens, prefilling only the new part, picks what a fresh generation over the
     * whole sequence picks (greedy, F32 cache, reference backend).
     */
    @Test
    void continuingFromTheCacheEqualsGeneratingFromScratch(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops, LoadOptions.defaults().withCacheType(DType.F32))) {
            int vocab = model.config().vocabSize();
            Generator g = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), vocab), t -> false);
            int[] prompt = {random.nextInt(vocab), random.nextInt(vocab), random.nextInt(vocab)};
            int[] reply = g.generate(prompt, 4).tokens();
            // the cache holds prompt + reply[0..3); the sequence goes on with the whole reply and two new tokens
            int cached = prompt.length + reply.length - 1;
            int[] next = Arrays.copyOf(prompt, prompt.length + reply.length + 2);
            System.arraycopy(reply, 0, next, prompt.length, reply.length);
            next[next.length - 2] = random.nextInt(vocab);
            next[next.length - 1] = random.nextInt(vocab);

            GenerationResult continued = g.generate(next, cached, 5, t -> { });
            assertEquals(next.length - cached, continued.promptTokens(), "only the new suffix is prefilled");
            GenerationResult fresh = g.generate(next, 5);
            assertEquals(next.length, fresh.promptTokens());
            assertArrayEquals(fresh.tokens(), continued.tokens());
        }
    }

    @Test
    void theCachedCountMustLeaveATokenToCompute(Random random) throws Exception {
        Path file = TinyModels.llamaGguf(random, dir);
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops)) {
            Generator g = new Generator(model.transformer(), new Sampler(SamplerSettings.greedy(), model.config().vocabSize()), t -> false);
            IllegalArgumentException all = assertThrows(IllegalArgumentException.class, () -> g.generate(new int[] {1, 2}, 2, 3, t -> { }));
            assertTrue(all.getMessage().contains("[0, 2)") && all.getMessage().contains("2"), all.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.generate(new int[] {1, 2}, -1, 3, t -> { }));
        }
    }
}
