package dev.panamax.serve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A job of the test's whose every piece of text waits for a permit. The scheduler has one thread, so
 * while this job runs, the whole server advances one round per permit: a test can make something
 * happen while a generation is known to be running.
 */
final class HeldJob implements Job.Listener {
    final Semaphore rounds = new Semaphore(0);
    final CountDownLatch started = new CountDownLatch(1), done = new CountDownLatch(1);
    volatile Completion completion;

    /** Submits a held job of {@code tokens} greedy tokens to {@code t}'s scheduler and waits until it runs. */
    static HeldJob hold(TestServer t, int tokens) throws InterruptedException {
        HeldJob held = new HeldJob();
        t.server.scheduler().submit(new Job(t.model.tokenizer().encode("abc", true, false), GenerateOptions.greedy().maxTokens(tokens), held));
        assertTrue(held.started.await(20, TimeUnit.SECONDS));
        return held;
    }

    @Override
    public void text(String piece) {
        started.countDown();
        rounds.acquireUninterruptibly();
    }

    @Override
    public void finished(Completion c) {
        completion = c;
        done.countDown();
    }

    @Override
    public void failed(RuntimeException error) {
        done.countDown();
    }
}
