package dev.panamax.transformer;

import dev.panamax.transformer.family.Families;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.formats.safetensors.ShardedCheckpoint;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.family.FamilyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Hugging Face checkpoint directory: {@code config.json} plus {@code model.safetensors} or a
 * sharded {@code model.safetensors.index.json}. Weights keep Hugging Face's names and layout.
 */
final class HfCheckpoint implements WeightSource, AutoCloseable {
    private final Path directory;
    private final SafetensorsFile single;
    private final ShardedCheckpoint sharded;

    private HfCheckpoint(Path directory, SafetensorsFile single, ShardedCheckpoint sharded) {
        this.directory = directory;
        this.single = single;
        this.sharded = sharded;
    }

    /** True if {@code dir} looks like a Hugging Face checkpoint. */
    static boolean isCheckpoint(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve("config.json"));
    }

    static HfCheckpoint open(Path dir) {
        Path index = dir.resolve(ShardedCheckpoint.INDEX_FILE_NAME);
        if (Files.isRegularFile(index)) {
            return new HfCheckpoint(dir, null, ShardedCheckpoint.open(index));
        }
        Path file = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            throw new UnsupportedModelException(dir + ": neither model.safetensors nor " + ShardedCheckpoint.INDEX_FILE_NAME
                    + " found next to config.json");
        }
        return new HfCheckpoint(dir, SafetensorsFile.open(file), null);
    }

    /** The family's reading of config.json. */
    FamilyConfig config() {
        return Families.read(directory.resolve("config.json"));
    }

    /**
     * The tensor {@code name} (a language model's name: {@code model.layers.0...}, {@code lm_head}); in a
     * multimodal checkpoint, the language model's tensor of that name: {@code language_model.<name>}
     * as transformers 4.x saved {@code Gemma3ForConditionalGeneration} and Llava, or
     * {@code model.language_model.<rest>} as later versions save it.
     */
    @Override
    public Optional<Tensor> find(String name) {
        Optional<Tensor> t = stored(name);
        if (t.isEmpty()) {
            t = stored("language_model." + name);
        }
        if (t.isEmpty() && name.startsWith("model.")) {
            t = stored("model.language_model." + name.substring("model.".length()));
        }
        return t;
    }

    private Optional<Tensor> stored(String name) {
        if (single != null) {
            return single.contains(name) ? Optional.of(single.tensor(name)) : Optional.empty();
        }
        return sharded.contains(name) ? Optional.of(sharded.tensor(name)) : Optional.empty();
    }

    @Override
    public Path file() {
        return directory;
    }

    @Override
    public void close() {
        if (single != null) {
            single.close();
        } else {
            sharded.close();
        }
    }
}
