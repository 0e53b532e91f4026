package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.Tensor;
import java.nio.file.Path;
import java.util.Optional;

/** The tensors of a GGUF file as a {@link WeightSource}: zero-copy views of the mapping. */
record GgufWeights(GgufFile gguf) implements WeightSource {
    @Override
    public Optional<Tensor> find(String name) {
        return gguf.findTensor(name);
    }

    @Override
    public Path file() {
        return gguf.path();
    }
}
