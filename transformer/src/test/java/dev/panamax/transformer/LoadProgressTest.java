package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class LoadProgressTest {
    @TempDir
    Path dir;

    /** One report per tensor the model loads (all of the tiny model's), counting the bytes before it. */
    @Test
    void loadingAGgufFileReportsEachTensorsBytes(Random random) throws Exception {
        Path file = TinyModel.llama(random).writeGguf(dir.resolve("tiny.gguf"));
        long total;
        int tensors;
        try (GgufFile g = GgufFile.open(file)) {
            total = g.tensorInfos().stream().mapToLong(GgufTensorInfo::byteSize).sum();
            tensors = g.tensorInfos().size();
        }
        List<long[]> reports = new ArrayList<>();
        try (Ops ops = Backends.open("reference", 1);
             Model m = Model.open(file, ops, LoadOptions.defaults(), (done, all) -> reports.add(new long[] {done, all}))) {
            assertEquals(tensors, reports.size());
            assertEquals(0, reports.get(0)[0]);
            for (int i = 0; i < reports.size(); i++) {
                assertEquals(total, reports.get(i)[1]);
                if (i > 0) {
                    assertTrue(reports.get(i)[0] > reports.get(i - 1)[0], "bytes grow with each tensor");
                }
            }
            assertTrue(reports.getLast()[0] < total);
        }
    }

    @Test
    void aHuggingFaceCheckpointCountsItsSafetensorsFiles(Random random) throws Exception {
        Path checkpoint = TinyModel.llama(random).writeHf(dir.resolve("hf"));
        long size;
        try (var files = Files.list(checkpoint)) {
            size = files.filter(f -> f.toString().endsWith(".safetensors")).mapToLong(f -> f.toFile().length()).sum();
        }
        List<long[]> reports = new ArrayList<>();
        try (Ops ops = Backends.open("reference", 1);
             Model m = Model.open(checkpoint, ops, LoadOptions.defaults(), (done, all) -> reports.add(new long[] {done, all}))) {
            assertTrue(reports.size() > 3 * 9, "at least the tensors of 3 layers: " + reports.size());
            assertTrue(reports.stream().allMatch(r -> r[1] == size && r[0] <= size));
        }
    }
}
