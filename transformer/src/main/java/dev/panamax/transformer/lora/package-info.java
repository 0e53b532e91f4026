/**
 * LoRA adapters: llama.cpp's GGUF adapters and PEFT directories read into {@link dev.panamax.transformer.lora.LoraAdapter},
 * chosen per model session with {@link dev.panamax.transformer.lora.AdapterSet}
 * ({@link dev.panamax.transformer.LoadOptions#withAdapters}) and applied unmerged by
 * {@link dev.panamax.transformer.nn.Linear}. See docs/lora.md for the scale and the layouts.
 */
package dev.panamax.transformer.lora;
