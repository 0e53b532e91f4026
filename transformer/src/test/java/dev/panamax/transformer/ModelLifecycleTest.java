package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 20: closing twice threw; every close in Panamax is idempotent. */
@ExtendWith(Seeded.class)
class ModelLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void closingAModelAndItsBackendTwiceIsHarmless(Random random) throws Exception {
        Path gguf = TinyModel.llama(random).writeGguf(dir.resolve("m.gguf"));
        for (String backend : new String[] {"reference", "cpu"}) {
            Ops ops = Backends.open(backend, 2);
            Model model = Model.open(gguf, ops);
            model.transformer().forward(new int[] {1, 2}, 0);
            assertDoesNotThrow(model::close);
            assertDoesNotThrow(model::close);
            assertDoesNotThrow(ops::close);
            assertDoesNotThrow(ops::close);
        }
    }
}
