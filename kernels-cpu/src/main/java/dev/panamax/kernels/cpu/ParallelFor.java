package dev.panamax.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that splits a range of work items among themselves: the parallel-for
 * behind every multi-threaded kernel.
 *
 * <p>{@link #run} hands out the range {@code [0, n)} in chunks of {@code grain} items from a shared
 * counter, so faster threads take more chunks, and returns when every chunk is done. The caller's
 * thread works too. A range that fits in one chunk, or a team of one, runs inline on the caller
 * with no hand-off, so tiny kernels pay no thread overhead. Nothing is allocated per call.
 *
 * <p>One {@code run} at a time: the team is driven by one thread (the owner of the backend). A second
 * thread entering {@code run} while one is inside fails at once with an {@link IllegalStateException}
 * instead of corrupting the first one's loop. {@link #close} from another thread lets a running loop
 * finish (the caller takes over the chunks no worker took) and makes later calls fail.
 */
public final class ParallelFor implements AutoCloseable {

    /** The work of one chunk: items {@code [start, end)}. */
    @FunctionalInterface
    public interface Body {
        /**
         * Does items {@code [start, end)}.
         *
         * @param start the first item
         * @param end   one past the last item
         */
        void run(int start, int end);
    }

    /**
     * How long a waiting thread spins before it parks. A decode step runs about a hundred parallel
     * loops back to back, each a fraction of a millisecond; waking a parked thread costs tens of
     * microseconds (more on a virtual machine), and a timed park sleeps at least ~50 us on Linux,
     * so waiters spin through the short gaps between loops and park only when the team is idle.
     */
    static final long SPIN_NANOS = 200_000;

    private final Thread[] workers;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Body body;
    private volatile int n;
    private volatile int grain;
    private volatile Thread caller;
    private volatile Throwable failure;
    /** The thread inside {@link #run} now, or null: catches two threads driving one team. */
    private final AtomicReference<Thread> running = new AtomicReference<>();

    /**
     * The most threads a team may have: far above any machine's useful count, low enough that a
     * mistyped count fails with a message instead of an OutOfMemoryError for native threads.
     */
    public static final int MAX_THREADS = 1024;

    /**
     * A team of {@code threads} threads in all, the caller's included.
     *
     * @param threads threads in all, 1 to {@link #MAX_THREADS}
     * @throws IllegalArgumentException if {@code threads} is out of that range
     */
    public ParallelFor(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 1.." + MAX_THREADS + ", got " + threads + " (this machine has "
                    + Runtime.getRuntime().availableProcessors() + " processors)");
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("panamax-worker-" + i).start(this::workLoop);
        }
    }

    /**
     * Number of threads that share the work, the caller's included.
     *
     * @return the team's size
     */
    public int threads() {
        return workers.length + 1;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code grain} items (the last may be
     * shorter) and returns when all are done. An exception in any chunk is rethrown here.
     *
     * @param n     items in all
     * @param grain items per chunk
     * @param body  the work of one chunk
     */
    public void run(int n, int grain, Body body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        if (workers.length == 0 || n <= g) {
            body.run(0, n);
            return;
        }
        if (closed) {
            throw new IllegalStateException("this ParallelFor is closed");
        }
        Thread me = Thread.currentThread();
        Thread other = running.compareAndExchange(null, me);
        if (other != null) {
            throw new IllegalStateException("two threads use one backend at once: " + me.getName() + " entered while "
                    + (other == me ? "it was already running a loop (a kernel called back into its own backend)"
                    : other.getName() + " was running; give each thread its own Ops"));
        }
        try {
            runOnTeam(n, g, body);
        } finally {
            running.set(null);
        }
    }

    private void runOnTeam(int n, int g, Body body) {
        this.body = body;
        this.n = n;
        this.grain = g;
        this.failure = null;
        this.caller = Thread.currentThread();
        nextChunk.set(0);
        pending.set(workers.length);
        generation++; // publishes the fields above to the workers
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work();
        long deadline = System.nanoTime() + SPIN_NANOS;
        for (int spins = 0; pending.get() > 0; spins++) {
            if (closed && noWorkerAlive()) {
                break; // closed meanwhile: workers that left did no chunk; work() above took every unclaimed one
            }
            if (keepSpinning(spins, deadline)) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        this.body = null;
        Throwable t = failure;
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    private boolean noWorkerAlive() {
        for (Thread w : workers) {
            if (w.isAlive()) {
                return false;
            }
        }
        return true;
    }

    private void work() {
        Body b = body;
        int total = n;
        int g = grain;
        try {
            for (int c = nextChunk.getAndIncrement(); (long) c * g < total; c = nextChunk.getAndIncrement()) {
                int start = c * g;
                b.run(start, Math.min(total, start + g));
            }
        } catch (Throwable t) {
            failure = t;
            nextChunk.set(Integer.MAX_VALUE / 2); // stop handing out chunks
        }
    }

    private void workLoop() {
        int seen = 0;
        while (true) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            for (int spins = 0; generation == seen && !closed; spins++) {
                if (keepSpinning(spins, deadline)) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (generation == seen) {
                return; // closed, and no loop waits for this worker
            }
            seen = generation;
            work();
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Spin on while {@link #SPIN_NANOS} have not passed; the clock is read once every 64 spins. */
    private static boolean keepSpinning(int spins, long deadline) {
        return (spins & 63) != 63 || System.nanoTime() < deadline;
    }

    /**
     * Stops the worker threads once they finish the loop they are in, if any. Idempotent; safe from
     * any thread, also while another thread is inside {@link #run}.
     */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
