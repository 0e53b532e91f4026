package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 20: misuse of a loaded model fails at once with a clear exception, never with garbage or a raw JVM error. */
@ExtendWith(Seeded.class)
class ModelMisuseTest {
    @TempDir
    Path dir;

    @Test
    void twoThreadsOnOneTransformerAreCaughtAtOnce(Random random) throws Exception {
        Path gguf = TinyModel.llama(random).writeGguf(dir.resolve("m.gguf"));
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(gguf, ops)) {
            Transformer t = model.transformer();
            int[] prompt = new int[24];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = random.nextInt(model.config().vocabSize());
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            Thread busy = Thread.ofPlatform().name("busy-generator").start(() -> {
                try {
                    while (!stop.get()) {
                        t.forward(prompt, 0);
                    }
                } catch (Throwable e) {
                    firstFailure.compareAndSet(null, e);
                }
            });
            IllegalStateException caught = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                while (true) {
                    try {
                        t.forward(prompt, 0);
                    } catch (IllegalStateException e) {
                        return e;
                    }
                }
            });
            stop.set(true);
            busy.join();
            assertTrue(caught.getMessage().contains("two threads at once"), caught.getMessage());
            Throwable other = firstFailure.get();
            assertTrue(other == null || other instanceof IllegalStateException, "the other thread failed with " + other);
        }
    }

    @Test
    void aModelFileTruncatedWhileOpenIsReportedByName(Random random) throws Exception {
        Path gguf = TinyModel.llama(random).writeGguf(dir.resolve("truncated.gguf"));
        try (Ops ops = Backends.open("cpu", 2); Model model = Model.open(gguf, ops)) {
            model.transformer().forward(new int[] {1, 2}, 0);
            try (FileChannel ch = FileChannel.open(gguf, StandardOpenOption.WRITE)) {
                ch.truncate(4096); // the header stays; every weight page is gone
            }
            ModelFileChangedException e = assertThrows(ModelFileChangedException.class,
                    () -> model.transformer().forward(new int[] {3, 4}, 0));
            assertEquals(gguf, e.file());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void aKvCacheLargerThanTheMachineIsRefusedSayingHowMuchIsNeeded(Random random) throws Exception {
        Path gguf = TinyModel.llama(random).writeGguf(dir.resolve("m.gguf"));
        try (Ops ops = Backends.open("cpu", 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Model.open(gguf, ops, LoadOptions.defaults().withContextLength(Integer.MAX_VALUE).withCacheType(DType.F32)));
            assertTrue(e.getMessage().contains("KV cache") && e.getMessage().contains("GiB")
                    && e.getMessage().contains("shorter context"), e.getMessage());
        }
    }
}
