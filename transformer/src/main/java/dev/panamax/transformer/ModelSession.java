package dev.panamax.transformer;

import java.lang.foreign.Arena;
import java.util.function.Consumer;

/**
 * One sequence of a {@link Model}, made by {@link Model#newSession()}: a {@link Transformer} with
 * its own KV cache, scratch and layers over the model's shared weights. Driven by one thread at a
 * time (a second thread entering fails at once with an {@link IllegalStateException}); sessions on
 * different threads run at once. {@link #close()} frees the cache and scratch, not the weights.
 */
public final class ModelSession implements AutoCloseable {
    private final Transformer transformer;
    private final Arena arena;
    private final Consumer<ModelSession> onClose;
    private boolean closed;

    ModelSession(Transformer transformer, Arena arena, Consumer<ModelSession> onClose) {
        this.transformer = transformer;
        this.arena = arena;
        this.onClose = onClose;
    }

    /** {@return this session's transformer} */
    public Transformer transformer() {
        return transformer;
    }

    /** Frees this session's KV cache and scratch. Idempotent; not while a thread is inside {@link Transformer#forward}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        if (arena != null) { // null: the model's own sequence, freed with the model
            arena.close();
        }
    }
}
