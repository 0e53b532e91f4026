package dev.panamax.transformer;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.Tensor;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where weights come from: a GGUF file, a safetensors checkpoint, or a map in a test. Tensors are
 * host tensors (typically zero-copy views of a memory-mapped file), shape outermost first.
 */
public interface WeightSource {

    /**
     * The tensor called {@code name}, if the source has it.
     *
     * @param name a tensor name in the source's own naming
     * @return the tensor, empty if absent
     */
    Optional<Tensor> find(String name);

    /** {@return the file (or directory) the tensors come from, named in error messages} */
    Path file();

    /**
     * The tensor called {@code name}; throws a {@link FormatException} naming the file and tensor if it is missing.
     *
     * @param name a tensor name in the source's own naming
     * @return the tensor
     */
    default Tensor require(String name) {
        return find(name).orElseThrow(() -> new FormatException(file(), name, "(absent)", "the model needs this tensor"));
    }
}
