package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The progress ModelQuantizer reports while it writes, for the command line's progress bar. */
@ExtendWith(Seeded.class)
class ModelQuantizerProgressTest {
    @TempDir
    Path dir;

    @Test
    void progress_rises_to_the_bytes_of_every_source_tensor_and_changes_no_byte(Random random) throws IOException {
        Path in = dir.resolve("in.gguf");
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putUInt32("llama.block_count", 1);
        try (Arena arena = Arena.ofConfined()) {
            // more rows than one 4 MiB chunk, so that a converted tensor reports several times
            w.addTensor("token_embd.weight", Tensor.of(arena, Seeded.gaussian(random, 4352 * 256, 0.02), 4352, 256));
            w.addTensor("blk.0.attn_norm.weight", Tensor.of(arena, Seeded.nonZeroFloats(random, 256, 1f), 256));
            w.addTensor("blk.0.ffn_down.weight", Tensor.of(arena, Seeded.gaussian(random, 96 * 256, 0.02), 96, 256).to(arena, DType.F16));
            w.write(in);
        }
        long sourceBytes = 0;
        try (GgufFile g = GgufFile.open(in)) {
            for (GgufTensorInfo t : g.tensorInfos()) {
                sourceBytes += g.tensorBytes(t.name()).byteSize();
            }
        }
        List<long[]> calls = new ArrayList<>();
        Path withProgress = dir.resolve("with.gguf");
        Path without = dir.resolve("without.gguf");
        ModelQuantizer.quantize(in, withProgress, QuantType.parse("Q8_0"), false, (done, total) -> calls.add(new long[] {done, total}));
        ModelQuantizer.quantize(in, without, QuantType.parse("Q8_0"), false);

        assertTrue(calls.size() > 3, "one call per copied tensor and per converted chunk, got " + calls.size());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(sourceBytes, calls.get(i)[1], "total of call " + i);
            assertTrue(calls.get(i)[0] > (i == 0 ? 0 : calls.get(i - 1)[0]), "bytes done rise at call " + i);
        }
        assertEquals(sourceBytes, calls.getLast()[0], "ends with every byte done");
        assertArrayEquals(Files.readAllBytes(without), Files.readAllBytes(withProgress));
    }
}
