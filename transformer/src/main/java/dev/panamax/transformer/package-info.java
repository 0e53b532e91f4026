/**
 * A reference decoder-only transformer (Llama 2/3, Mistral, Mixtral, Qwen2, Qwen3; the list is
 * {@link dev.panamax.transformer.family.Families#ALL}) on any {@link dev.panamax.tensor.Ops} backend.
 *
 * <p>Start from {@link dev.panamax.transformer.Model#open}: it reads a GGUF file or a Hugging Face
 * checkpoint directory into a {@link dev.panamax.transformer.ModelConfig}, lets the model's family
 * ({@code dev.panamax.transformer.family}) build its layers from the weights (out of the shared
 * layers of {@code dev.panamax.transformer.nn}), and sets up a
 * {@link dev.panamax.transformer.Transformer} whose {@code forward(tokens, startPos)} returns
 * next-token logits. One decoder block is {@code dev.panamax.transformer.nn.TransformerBlock}, written
 * to be read step by step (see {@code docs/transformer.md}). Sampling and generation live in
 * {@code dev.panamax.transformer.sampling}.
 */
package dev.panamax.transformer;
