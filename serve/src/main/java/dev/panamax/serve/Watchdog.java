package dev.panamax.serve;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for blocking I/O on a connection: reading a request's body, writing each piece of a
 * response. The JDK's server does that I/O on blocking socket channels, which are interruptible: a
 * thread interrupted inside a read or write closes the connection and gets an exception. So a
 * stalled client (a body that stops arriving, a stream nobody reads) costs a handler thread for at
 * most the timeout, and its generation is cancelled. Between I/O calls (waiting for tokens) no
 * deadline runs.
 */
final class Watchdog implements AutoCloseable {
    /** Blocking I/O that may be cut short. */
    @FunctionalInterface
    interface Io<T> {
        T run() throws IOException;
    }

    /** The I/O did not finish in time; the connection is closed. */
    static final class StalledException extends IOException {
        StalledException(String what, Duration timeout) {
            super(what + " made no progress within " + timeout.toMillis() + " ms; the connection is closed");
        }
    }

    private static final class Deadline {
        final Thread thread;
        final long at;
        boolean done;
        boolean fired;

        Deadline(Thread thread, long at) {
            this.thread = thread;
            this.at = at;
        }
    }

    private final Set<Deadline> deadlines = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("panamax-watchdog").daemon().unstarted(r));

    Watchdog() {
        timer.scheduleAtFixedRate(this::sweep, 100, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code io} on this thread; if it takes longer than {@code timeout}, interrupts it (which
     * closes the connection) and throws {@link StalledException}.
     */
    <T> T within(Duration timeout, String what, Io<T> io) throws IOException {
        Deadline d = new Deadline(Thread.currentThread(), System.nanoTime() + timeout.toNanos());
        deadlines.add(d);
        try {
            return io.run();
        } catch (ClosedByInterruptException | InterruptedIOException e) {
            if (d.fired) {
                throw new StalledException(what, timeout);
            }
            throw e;
        } finally {
            deadlines.remove(d);
            synchronized (d) {
                d.done = true;
            }
            if (d.fired) {
                Thread.interrupted(); // the interrupt was for this I/O only
            }
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Deadline d : deadlines) {
            if (now - d.at > 0) {
                synchronized (d) {
                    if (!d.done && !d.fired) {
                        d.fired = true;
                        d.thread.interrupt();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
