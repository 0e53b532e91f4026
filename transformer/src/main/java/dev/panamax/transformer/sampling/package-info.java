/**
 * Choosing tokens and generating text: {@link dev.panamax.transformer.sampling.Sampler} (greedy,
 * temperature, top-k, top-p, min-p, penalties; seeded) and {@link dev.panamax.transformer.sampling.Generator}
 * (prefill, then decode token by token, streaming tokens or text, with timings).
 */
package dev.panamax.transformer.sampling;
