package dev.panamax.serve;

import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.Generation;
import dev.panamax.transformer.sampling.GenerationResult.StopReason;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the model's decode loop, on one thread: admits queued {@link Job}s into free {@link Slots}
 * (each a KV cache of its own over the shared weights), then steps every running generation once per
 * round: with {@link Slots.Batched}, all of them in one forward pass, so a new request joins the
 * running batch at the next round (continuous batching). A long prompt is prefilled
 * {@code prefillChunk} tokens a round, so it does not stall the others' decoding. Requests past the
 * free slots wait in a bounded queue; {@link #submit} refuses one when that is full.
 */
final class Scheduler implements AutoCloseable {
    private final Slots slots;
    private final int prefillChunk;
    private final int capacity;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    /** Jobs submitted and not yet ended: running, or waiting in the queue. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicInteger caches = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param slots        where generations run; the scheduler closes them
     * @param queueLength  requests that may wait for a slot
     * @param prefillChunk prompt tokens run per round for a request being prefilled
     */
    Scheduler(Slots slots, int queueLength, int prefillChunk) {
        if (queueLength < 0 || prefillChunk < 1) {
            throw new IllegalArgumentException("queue " + queueLength + ", prefill chunk " + prefillChunk);
        }
        this.slots = slots;
        this.prefillChunk = prefillChunk;
        this.capacity = slots.capacity() + queueLength;
        this.thread = Thread.ofPlatform().name("panamax-scheduler").daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Queues {@code job}; it starts when a slot is free.
     *
     * @throws ApiException 503 if the slots and the queue are full, or the server is closing
     */
    void submit(Job job) {
        if (inFlight.incrementAndGet() > capacity || closed) {
            inFlight.decrementAndGet();
            throw new ApiException(503, "server_error", closed ? "the server is shutting down"
                    : "the server is busy: " + slots.capacity() + " requests are generating and the queue is full; retry later", null,
                    "server_busy");
        }
        queue.add(job);
    }

    /** Generations running now. */
    int active() {
        return active.get();
    }

    /** Requests waiting for a slot. */
    int queued() {
        return inFlight.get() - active.get();
    }

    /** Generations that ended cancelled (their client gone, or the server closing) so far. */
    int cancelled() {
        return cancelled.get();
    }

    /** KV caches made so far; never more than the slots. */
    int caches() {
        return caches.get();
    }

    private void run() {
        Map<Generation, Job> running = new IdentityHashMap<>();
        List<Generation> order = new ArrayList<>();
        try {
            while (!closed) {
                if (running.isEmpty()) {
                    Job first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        admit(first, running, order);
                    }
                }
                for (Job next; running.size() < slots.capacity() && (next = queue.poll()) != null; ) {
                    admit(next, running, order);
                }
                for (Generation g : order) {
                    if (running.get(g).cancelled()) {
                        g.close(); // ends as cancelled before the step
                    }
                }
                List<Generation> stepping = order.stream().filter(g -> !g.finished()).toList();
                slots.step(stepping, (g, e) -> {
                    Job job = running.remove(g);
                    order.remove(g);
                    end(g);
                    job.listener().failed(e);
                });
                for (int i = 0; i < order.size(); i++) {
                    Generation g = order.get(i);
                    if (g.finished()) {
                        order.remove(i--);
                        Job job = running.remove(g);
                        Completion c = g.completion();
                        end(g);
                        job.listener().finished(c);
                    }
                }
                caches.set(slots.caches());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Generation g : order) {
                g.close();
                end(g);
                running.get(g).listener().finished(g.completion());
            }
            for (Job j; (j = queue.poll()) != null; ) {
                inFlight.decrementAndGet();
                j.listener().failed(new ApiException(503, "server_error", "the server is shutting down", null, null));
            }
            slots.close();
        }
    }

    /** Starts {@code job} in a free slot; a job that cannot start (its prompt is refused) fails at once. */
    private void admit(Job job, Map<Generation, Job> running, List<Generation> order) {
        try {
            Generation g = slots.start(job.prompt(), job.options(), job.adapters(), job.listener()::text, prefillChunk);
            g.onSampled(job.sampled());
            running.put(g, job);
            order.add(g);
            active.incrementAndGet();
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            job.listener().failed(e);
        }
    }

    /** A generation has ended: its slot is free. */
    private void end(Generation g) {
        if (g.finished() && g.completion().stopReason() == StopReason.CANCELLED) {
            cancelled.incrementAndGet();
        }
        slots.free(g);
        active.decrementAndGet();
        inFlight.decrementAndGet();
    }

    /** Stops the loop (running generations end as cancelled, queued ones fail) and frees the slots' caches. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
