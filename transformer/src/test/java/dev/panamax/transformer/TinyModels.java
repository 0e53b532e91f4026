package dev.panamax.transformer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/** Public entry to the {@link TinyModel} fixture for tests in other packages. */
public final class TinyModels {
    private TinyModels() {
    }

    /** Writes a random tiny Llama (see {@link TinyModel#llama}) as {@code dir/tiny-llama.gguf}. */
    public static Path llamaGguf(Random random, Path dir) throws IOException {
        return TinyModel.llama(random).writeGguf(dir.resolve("tiny-llama.gguf"));
    }

    /** As {@link #llamaGguf}, with one NaN in a weight of the last layer's feed-forward: every logit turns NaN. */
    public static Path llamaGgufWithNaN(Random random, Path dir) throws IOException {
        TinyModel m = TinyModel.llama(random);
        m.weights.get("blk." + (m.layers - 1) + ".ffn_down.weight")[random.nextInt(m.dim * m.ffn)] = Float.NaN;
        return m.writeGguf(dir.resolve("tiny-llama-nan.gguf"));
    }
}
