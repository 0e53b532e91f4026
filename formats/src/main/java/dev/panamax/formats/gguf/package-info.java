/**
 * GGUF, the model file format of ggml and llama.cpp: {@link dev.panamax.formats.gguf.GgufFile}
 * reads versions 2 and 3 (memory-mapped, checked, zero-copy tensors),
 * {@link dev.panamax.formats.gguf.GgufWriter} writes version 3 the way llama.cpp lays files out,
 * and {@link dev.panamax.formats.gguf.ModelMetadata} is the typed view of a transformer's metadata.
 *
 * <p>File layout (all little-endian): magic "GGUF", uint32 version, uint64 tensor count, uint64
 * metadata count; the metadata key-value pairs; the tensor infos (name, uint32 n_dims, uint64
 * ne[n_dims] innermost first, uint32 ggml type, uint64 offset); zero padding to the alignment
 * ({@code general.alignment}, default 32); the tensor data, each tensor at an aligned offset from
 * the start of the data section.
 */
package dev.panamax.formats.gguf;
