package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
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

    /** A reference backend whose next matmul, once armed, waits inside until released: a thread held in forward. */
    private static Ops holdingInsideMatmul(Ops real, AtomicBoolean armed, CountDownLatch inside, CountDownLatch release) {
        return (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[] {Ops.class}, (proxy, method, args) -> {
            if (method.getName().equals("matmul") && armed.compareAndSet(true, false)) {
                inside.countDown();
                release.await();
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void twoThreadsOnOneTransformerAreCaughtAtOnce(Random random) throws Exception {
        Path gguf = TinyModel.llama(random).writeGguf(dir.resolve("m.gguf"));
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Ops real = Backends.open("reference", 1);
             Model model = Model.open(gguf, holdingInsideMatmul(real, armed, inside, release))) {
            Transformer t = model.transformer();
            int[] prompt = {1, 2, 3, 4};
            AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            armed.set(true);
            Thread first = Thread.ofPlatform().name("first-generator").start(() -> {
                try {
                    t.forward(prompt, 0);
                } catch (Throwable e) {
                    firstFailure.set(e);
                }
            });
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> inside.await());
            IllegalStateException caught;
            try {
                caught = assertThrows(IllegalStateException.class, () -> t.forward(prompt, 0));
            } finally {
                release.countDown();
            }
            first.join();
            assertTrue(caught.getMessage().contains("two threads at once") && caught.getMessage().contains("first-generator"),
                    caught.getMessage());
            assertEquals(null, firstFailure.get(), "the first thread's forward must finish normally");
            t.forward(prompt, 0); // usable again once the first is out
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
