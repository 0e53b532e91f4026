/** GGUF and safetensors readers and writers, and ggml's quantized block codecs. */
module dev.panamax.formats {
    requires transitive dev.panamax.tensor;
    requires com.fasterxml.jackson.core;

    exports dev.panamax.formats;
    exports dev.panamax.formats.gguf;
    exports dev.panamax.formats.quant;
    exports dev.panamax.formats.safetensors;
}
