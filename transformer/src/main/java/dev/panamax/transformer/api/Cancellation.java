package dev.panamax.transformer.api;

/**
 * Stops a generation from another thread: pass it in {@link GenerateOptions#cancellation}, call
 * {@link #cancel()} from anywhere; the generation ends before its next token with
 * {@link dev.panamax.transformer.sampling.GenerationResult.StopReason#CANCELLED}. Once cancelled,
 * it stays cancelled (use a new one per generation).
 */
public final class Cancellation {
    private volatile boolean cancelled;

    /** A cancellation not yet cancelled. */
    public Cancellation() {
    }

    /** Asks the generations that use this to stop. */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Whether {@link #cancel()} has been called, by any thread.
     *
     * @return true once cancelled, for good
     */
    public boolean isCancelled() {
        return cancelled;
    }
}
