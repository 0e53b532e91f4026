package dev.panamax.serve;

import dev.panamax.transformer.api.Cancellation;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.Generation;
import dev.panamax.transformer.lora.AdapterSet;

/**
 * One generation request waiting for, or holding, a slot of the {@link Scheduler}: its prompt tokens,
 * how to generate, and where its text goes. {@link #cancel()} (a client gone) frees its slot before
 * the scheduler's next step.
 */
final class Job {
    /** Where a job's output goes; called on the scheduler's thread, so it must not block. */
    interface Listener {
        /** A piece of generated text, whole characters, stop strings held back. */
        void text(String piece);

        /** The generation ended (also when cancelled). */
        void finished(Completion completion);

        /** The generation failed (the forward pass threw): nothing more follows. */
        void failed(RuntimeException error);
    }

    private final int[] prompt;
    private final GenerateOptions options;
    private final Listener listener;
    private final Generation.SampledTokens sampled;
    private final AdapterSet adapters;
    private final Cancellation cancellation = new Cancellation();

    Job(int[] prompt, GenerateOptions options, Listener listener) {
        this(prompt, options, listener, null, AdapterSet.NONE);
    }

    /**
     * @param sampled  told of each token sampled, with its logits (for log-probabilities), or null
     * @param adapters the LoRA adapters the generation runs with ({@link AdapterSet#NONE}: the base model)
     */
    Job(int[] prompt, GenerateOptions options, Listener listener, Generation.SampledTokens sampled, AdapterSet adapters) {
        this.prompt = prompt;
        this.options = options.cancellation(cancellation);
        this.listener = listener;
        this.sampled = sampled;
        this.adapters = adapters;
    }

    /** The LoRA adapters this job's generation runs with. */
    AdapterSet adapters() {
        return adapters;
    }

    /** Told of each sampled token before its text, on the scheduler's thread; null for none. */
    Generation.SampledTokens sampled() {
        return sampled;
    }

    int[] prompt() {
        return prompt;
    }

    GenerateOptions options() {
        return options;
    }

    Listener listener() {
        return listener;
    }

    /** Stops the generation before its next step (or before it starts, if it is still queued). */
    void cancel() {
        cancellation.cancel();
    }

    boolean cancelled() {
        return cancellation.isCancelled();
    }
}
