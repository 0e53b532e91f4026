package dev.panamax.transformer.nn;

import java.lang.foreign.MemorySegment;

/**
 * How a {@link MixtureOfExperts} picks a token's experts and weighs them, when it is not the
 * softmax top-k of {@link MixtureOfExperts.Routing} (e.g. DeepSeek's sigmoid scores with a
 * correction bias and expert groups). Runs on the host, once per token; must not allocate.
 */
public interface Router {
    /** Experts each token is routed to (k). */
    int expertsUsed();

    /**
     * Reads one token's router logits and writes its {@code k} experts to {@code chosen[offset ..
     * offset + k)} (distinct, each in {@code [0, experts)}) and their output weights to
     * {@code weights[offset ..]}.
     *
     * @param logits the token's F32 router logits {@code [experts]}
     */
    void route(MemorySegment logits, int experts, int[] chosen, double[] weights, int offset);
}
