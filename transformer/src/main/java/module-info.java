/** A reference Llama-family transformer, tokenizers, sampling, and the panamax command line. */
module dev.panamax.transformer {
    requires transitive dev.panamax.tensor;
    requires transitive dev.panamax.formats;
    requires dev.panamax.kernels.cpu;
    requires info.picocli;
    requires com.fasterxml.jackson.core;

    exports dev.panamax.transformer;
    exports dev.panamax.transformer.sampling;
    exports dev.panamax.transformer.sampling.grammar;
    exports dev.panamax.transformer.chat;
    exports dev.panamax.transformer.lora;
    exports dev.panamax.transformer.api;
    exports dev.panamax.transformer.cli;
    exports dev.panamax.transformer.tokenizer;

    opens dev.panamax.transformer.cli to info.picocli;
}
