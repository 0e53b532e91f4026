package dev.panamax.transformer;

import dev.panamax.transformer.family.Families;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.transformer.family.FamilyConfig;
import dev.panamax.transformer.family.GgufExport;
import dev.panamax.transformer.tokenizer.hf.GgufVocabularyExport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face checkpoint directory (config.json, safetensors, tokenizer.json) as one GGUF file
 * that llama.cpp reads: names, metadata and weights as {@link GgufExport} writes them, the vocabulary
 * as {@link GgufVocabularyExport}. Weights keep their type (FP8 E4M3 with block scales becomes BF16);
 * {@code panamax quantize} then quantizes the result with llama-quantize's rules.
 */
public final class HfToGguf {
    private HfToGguf() {
    }

    /**
     * Converts {@code dir} into {@code out}.
     *
     * @param dir a Hugging Face checkpoint directory with {@code config.json} and {@code tokenizer.json}
     * @param out the GGUF file to write (replaced if it exists)
     * @throws IOException if a file cannot be read or written
     * @throws UnsupportedModelException for a family, feature or tokenizer not converted (named)
     */
    public static void convert(Path dir, Path out) throws IOException {
        if (!HfCheckpoint.isCheckpoint(dir)) {
            throw new UnsupportedModelException(dir + ": not a Hugging Face checkpoint (a directory with config.json)");
        }
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) {
            throw new UnsupportedModelException(dir + ": no tokenizer.json, whose vocabulary the GGUF file needs");
        }
        FamilyConfig config = Families.read(dir);
        HfConfig hf = HfConfigReader.config(dir);
        try (HfCheckpoint weights = HfCheckpoint.open(dir); Arena arena = Arena.ofConfined()) {
            GgufWriter w = new GgufWriter();
            w.putString("general.name", dir.toAbsolutePath().getFileName().toString());
            GgufExport.write(config, weights, w, arena);
            GgufVocabularyExport.write(tokenizer, config.common().vocabSize(), hf.bosTokenIds(), hf.eosTokenIds(), w);
            w.write(out);
        }
    }
}
