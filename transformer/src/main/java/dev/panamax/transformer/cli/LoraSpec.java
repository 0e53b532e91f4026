package dev.panamax.transformer.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An adapter as the command line names it, {@code FILE[:SCALE]} (as llama.cpp's {@code --lora} and
 * {@code --lora-scaled} together): a trailing {@code :number} is the scale unless the whole text is
 * an existing file.
 *
 * @param path  the GGUF adapter file or PEFT directory
 * @param scale the user's scale (1 when none is given)
 */
public record LoraSpec(Path path, float scale) {
    /**
     * The file and scale of {@code FILE[:SCALE]}.
     *
     * @param text what the command line gave
     * @return the file and scale, or null if the scale is not a finite number
     */
    public static LoraSpec parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || Files.exists(Path.of(text))) {
            return new LoraSpec(Path.of(text), 1f);
        }
        try {
            float scale = Float.parseFloat(text.substring(colon + 1));
            return Float.isFinite(scale) ? new LoraSpec(Path.of(text.substring(0, colon)), scale) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
