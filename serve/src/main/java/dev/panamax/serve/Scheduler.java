package dev.panamax.serve;

import dev.panamax.transformer.api.Generation;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the model's decode loop, on one thread: admits queued {@link Job}s into free slots (each slot a
 * {@link Session}, a KV cache of its own over the shared weights), then steps every active generation
 * once per round, so a new request joins the running ones at the next round (continuous batching).
 * A long prompt is prefilled {@code prefillChunk} tokens a round, so it does not stall the others'
 * decoding. Requests past the free slots wait in a bounded queue; {@link #submit} refuses one when
 * that is full.
 *
 * <p>Each round steps the active generations one after another, each forward pass on the session's
 * own transformer (the model's backend runs one at a time).
 */
final class Scheduler implements AutoCloseable {
    /** A slot: a session, and the job generating on it now (null when free). */
    private static final class Slot {
        final Session session;
        Job job;
        Generation generation;

        Slot(Session session) {
            this.session = session;
        }
    }

    private final LanguageModel model;
    private final int parallel;
    private final int prefillChunk;
    private final int capacity;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    /** Jobs submitted and not yet finished: running, or waiting in the queue. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Slot> slots = new ArrayList<>();
    private final Thread thread;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param parallel     generations running at once (slots)
     * @param queueLength  requests that may wait for a slot
     * @param prefillChunk prompt tokens run per round for a request being prefilled
     */
    Scheduler(LanguageModel model, int parallel, int queueLength, int prefillChunk) {
        if (parallel < 1 || queueLength < 0 || prefillChunk < 1) {
            throw new IllegalArgumentException("parallel " + parallel + ", queue " + queueLength + ", prefill chunk " + prefillChunk);
        }
        this.model = model;
        this.parallel = parallel;
        this.prefillChunk = prefillChunk;
        this.capacity = parallel + queueLength;
        this.thread = Thread.ofPlatform().name("panamax-scheduler").daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Queues {@code job}; it starts when a slot is free.
     *
     * @throws ApiException 503 if the queue is full
     */
    void submit(Job job) {
        if (inFlight.incrementAndGet() > capacity || closed) {
            inFlight.decrementAndGet();
            throw new ApiException(503, "server_error", closed ? "the server is shutting down"
                    : "the server is busy: " + parallel + " requests are generating and the queue is full; retry later", null, "server_busy");
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

    /** Slots, each a session with its KV cache, made so far (at most {@code parallel}). */
    synchronized int sessions() {
        return slots.size();
    }

    private void run() {
        List<Slot> running = new ArrayList<>();
        try {
            while (!closed) {
                if (running.isEmpty()) {
                    Job first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        admit(first, running);
                    }
                }
                for (Job next; running.size() < parallel && (next = queue.poll()) != null; ) {
                    admit(next, running);
                }
                for (int i = 0; i < running.size(); i++) {
                    Slot s = running.get(i);
                    if (step(s)) {
                        running.remove(i--);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Slot s : running) {
                Job job = s.job;
                s.generation.close();
                var completion = s.generation.completion();
                release(s);
                job.listener().finished(completion);
            }
            for (Job j; (j = queue.poll()) != null; ) {
                inFlight.decrementAndGet();
                j.listener().failed(new ApiException(503, "server_error", "the server is shutting down", null, null));
            }
        }
    }

    /** Starts {@code job} on the free slot whose cache holds the longest prefix of its prompt. */
    private void admit(Job job, List<Slot> running) {
        Slot slot = freeSlot(job.prompt(), running);
        try {
            slot.generation = slot.session.start(job.prompt(), job.options(), job.listener()::text, prefillChunk);
            slot.job = job;
            running.add(slot);
            active.incrementAndGet();
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            job.listener().failed(e);
        }
    }

    private Slot freeSlot(int[] prompt, List<Slot> running) {
        Slot best = null;
        int bestReuse = -1;
        synchronized (this) {
            for (Slot s : slots) {
                if (!running.contains(s)) {
                    int reuse = s.session.reusableTokens(prompt);
                    if (reuse > bestReuse) {
                        best = s;
                        bestReuse = reuse;
                    }
                }
            }
            if (best == null || (bestReuse == 0 && slots.size() < parallel)) {
                best = new Slot(model.newSession());
                slots.add(best);
            }
        }
        return best;
    }

    /** One step of the slot's generation; true when it has finished and the slot is free again. */
    private boolean step(Slot s) {
        try {
            s.generation.step();
        } catch (RuntimeException e) {
            s.generation.close();
            release(s);
            s.job.listener().failed(e);
            return true;
        }
        if (!s.generation.finished()) {
            return false;
        }
        Job job = s.job;
        var completion = s.generation.completion();
        if (completion.stopReason() == dev.panamax.transformer.sampling.GenerationResult.StopReason.CANCELLED) {
            cancelled.incrementAndGet();
        }
        release(s);
        job.listener().finished(completion);
        return true;
    }

    private void release(Slot s) {
        s.job = null;
        s.generation = null;
        active.decrementAndGet();
        inFlight.decrementAndGet();
    }

    /** Stops the loop (running generations end as cancelled, queued ones fail) and frees the sessions. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (Slot s : slots) {
                s.session.close();
            }
            slots.clear();
        }
    }
}
