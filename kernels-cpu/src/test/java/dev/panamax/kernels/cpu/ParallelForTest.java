package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The thread team: every item runs once, closing mid-loop never hangs, two drivers are caught. */
class ParallelForTest {

    @Test
    void every_item_runs_exactly_once() {
        try (ParallelFor team = new ParallelFor(3)) {
            for (int n : new int[] {1, 7, 64, 1001}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                team.run(n, 5, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "item " + i + " of " + n);
                }
            }
        }
    }

    /** Issue 20: --threads 1000000 ended in an OutOfMemoryError for native threads. */
    @Test
    void an_absurd_thread_count_is_refused_before_any_thread_starts() {
        for (int bad : new int[] {0, -3, ParallelFor.MAX_THREADS + 1, 1_000_000}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ParallelFor(bad));
            assertTrue(e.getMessage().contains("got " + bad), e.getMessage());
        }
    }

    /** The hang that issue 20 found: close from another thread while a loop runs. */
    @RepeatedTest(8)
    void closing_from_another_thread_while_a_loop_runs_lets_it_finish_and_later_loops_fail() {
        ParallelFor team = new ParallelFor(2);
        CountDownLatch started = new CountDownLatch(1);
        AtomicIntegerArray hits = new AtomicIntegerArray(400);
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                started.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            team.close();
        });
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            team.run(400, 1, (start, end) -> {
                started.countDown();
                busyFor(20_000);
                hits.incrementAndGet(start);
            });
        });
        for (int i = 0; i < 400; i++) {
            assertEquals(1, hits.get(i), "item " + i);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> closer.join());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run(400, 1, (s, t) -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        team.close(); // idempotent
    }

    @Test
    void a_second_thread_entering_a_running_team_fails_at_once() throws InterruptedException {
        try (ParallelFor team = new ParallelFor(2)) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread first = Thread.ofPlatform().name("first-driver").start(() -> team.run(2, 1, (start, end) -> {
                if (start == 0) {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }));
            inside.await();
            AtomicReference<Throwable> second = new AtomicReference<>();
            try {
                team.run(2, 1, (start, end) -> { });
            } catch (IllegalStateException e) {
                second.set(e);
            } finally {
                release.countDown();
            }
            first.join();
            assertTrue(second.get() != null && second.get().getMessage().contains("two threads use one backend"),
                    String.valueOf(second.get()));
            team.run(2, 1, (start, end) -> { }); // usable again once the first is out
        }
    }

    private static void busyFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
