package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A family as a descriptor: its name, the names the two formats give it, its config class's defaults
 * and its two readers, given
 * once to this constructor; what the family reads and builds is its own {@link FamilyConfig} record.
 * A family whose files need nothing beyond the common hyper-parameters reads them with
 * {@link #common(Rope.Layout, Function)}:
 *
 * <pre>{@code
 * public Qwen3() {
 *     super("qwen3", List.of("qwen3"), List.of("qwen3"), common(Rope.Layout.NEOX, Config::new));
 * }
 * }</pre>
 */
abstract class DescribedFamily implements ModelFamily {
    /** How a family reads a GGUF file's metadata and a {@code config.json}. */
    record Readers(Function<GgufFile, FamilyConfig> gguf, BiFunction<Path, HfConfig, FamilyConfig> hf) {
        Readers {
            Objects.requireNonNull(gguf, "gguf");
            Objects.requireNonNull(hf, "hf");
        }
    }

    private final String name;
    private final List<String> ggufArchitectures;
    private final List<String> hfModelTypes;
    private final Map<String, ?> hfDefaults;
    private final Readers readers;

    /** A family without {@link #hfDefaults()}. */
    DescribedFamily(String name, List<String> ggufArchitectures, List<String> hfModelTypes, Readers readers) {
        this(name, ggufArchitectures, hfModelTypes, Map.of(), readers);
    }

    /**
     * @param name              the family's name, e.g. "qwen3"
     * @param ggufArchitectures the {@code general.architecture} values it reads
     * @param hfModelTypes      the {@code model_type} values it reads
     * @param hfDefaults        its config class's defaults ({@link ModelFamily#hfDefaults()})
     * @param readers           its readers of both formats
     */
    DescribedFamily(String name, List<String> ggufArchitectures, List<String> hfModelTypes, Map<String, ?> hfDefaults,
                    Readers readers) {
        this.name = Objects.requireNonNull(name, "name");
        this.ggufArchitectures = List.copyOf(ggufArchitectures);
        this.hfModelTypes = List.copyOf(hfModelTypes);
        this.hfDefaults = Map.copyOf(hfDefaults);
        this.readers = Objects.requireNonNull(readers, "readers");
    }

    /** Both formats read by the common readers, GGUF's RoPE in {@code ggufLayout}, into {@code config}. */
    static Readers common(Rope.Layout ggufLayout, Function<ModelConfig, FamilyConfig> config) {
        return new Readers(file -> config.apply(GgufConfigReader.common(file, ggufLayout)),
                (file, hf) -> config.apply(HfConfigReader.common(file, hf)));
    }

    /** A family's own readers. */
    static Readers readers(Function<GgufFile, FamilyConfig> gguf, BiFunction<Path, HfConfig, FamilyConfig> hf) {
        return new Readers(gguf, hf);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> ggufArchitectures() {
        return ggufArchitectures;
    }

    @Override
    public final List<String> hfModelTypes() {
        return hfModelTypes;
    }

    @Override
    public final Map<String, ?> hfDefaults() {
        return hfDefaults;
    }

    @Override
    public final FamilyConfig fromGguf(GgufFile file) {
        return readers.gguf().apply(file);
    }

    @Override
    public final FamilyConfig fromHf(Path file, HfConfig config) {
        return readers.hf().apply(file, config);
    }

    @Override
    public String toString() {
        return name;
    }
}
