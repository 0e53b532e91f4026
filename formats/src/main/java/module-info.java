/** GGUF and safetensors readers and writers, and ggml's quantized block codecs. */
module dev.panamax.formats {
    requires transitive dev.panamax.tensor;
    requires transitive com.fasterxml.jackson.core; // JsonTree.read takes a JsonParser

    exports dev.panamax.formats;
    exports dev.panamax.formats.gguf;
    exports dev.panamax.formats.quant;
    exports dev.panamax.formats.safetensors;
}
