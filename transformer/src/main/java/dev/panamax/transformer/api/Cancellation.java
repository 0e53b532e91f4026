package dev.panamax.transformer.api;

/**
 * Stops a generation from another thread: pass it in {@link GenerateOptions#cancellation}, call
 * {@link #cancel()} from anywhere; the generation ends before its next token with
 * {@link dev.panamax.transformer.sampling.GenerationResult.StopReason#CANCELLED}. Once cancelled,
 * it stays cancelled (use a new one per generation).
 */
public final class Cancellation {
    private volatile boolean cancelled;

    /** Asks the generations that use this to stop. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
