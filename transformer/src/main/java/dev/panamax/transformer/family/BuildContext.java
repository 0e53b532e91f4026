package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.transformer.KvCache;
import dev.panamax.transformer.nn.Scratch;

/**
 * What a family builds its layers from: the backend, the shared scratch buffers, the KV cache
 * (allocated for the configuration's layers, KV heads and head dimension) and the weights.
 */
public record BuildContext(Ops ops, Scratch scratch, KvCache cache, WeightLoader weights) {
}
