/**
 * The safetensors format: {@link dev.panamax.formats.safetensors.SafetensorsFile} (memory-mapped,
 * validated, zero-copy reader), {@link dev.panamax.formats.safetensors.SafetensorsWriter},
 * {@link dev.panamax.formats.safetensors.ShardedCheckpoint} (multi-file checkpoints with an index),
 * {@link dev.panamax.formats.safetensors.Float8} (FP8 decoders) and
 * {@link dev.panamax.formats.safetensors.HfConfig} (a model's {@code config.json}).
 * JSON is read with Jackson's streaming parser under hard limits; bad input raises
 * {@link dev.panamax.formats.FormatException}.
 */
package dev.panamax.formats.safetensors;
