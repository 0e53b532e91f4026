/** File formats: GGUF and safetensors readers and writers, and ggml's quantized block codecs. */
package dev.panamax.formats;
