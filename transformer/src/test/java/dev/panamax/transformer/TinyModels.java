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
}
