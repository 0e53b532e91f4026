package dev.panamax.transformer.cli;

import dev.panamax.formats.Inspector;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.family.FamilyConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code panamax inspect FILE}: architecture, metadata and the tensor table of a GGUF or safetensors file, and the family that runs it. */
@Command(name = "inspect", description = "Describe a GGUF or safetensors file: metadata and tensor table (like gguf-dump).")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "a .gguf or .safetensors file")
    Path file;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a directory; inspect takes one .gguf or .safetensors file"
                    + " (for a checkpoint directory, one of its *.safetensors files)");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        PrintWriter out = spec.commandLine().getOut();
        Inspector.inspect(file, out);
        family(out);
        out.flush();
        return 0;
    }

    /** Which family runs the file (a safetensors file: with the config.json beside it), and what it uses. */
    private void family(PrintWriter out) throws Exception {
        FamilyConfig family;
        try {
            if (file.getFileName().toString().endsWith(".safetensors")) {
                Path config = file.toAbsolutePath().getParent().resolve("config.json");
                if (!Files.isRegularFile(config)) {
                    return;
                }
                family = HfConfigReader.family(config);
            } else {
                try (GgufFile g = GgufFile.open(file)) {
                    family = GgufConfigReader.family(g);
                }
            }
        } catch (UnsupportedModelException e) {
            out.println("family:      not supported: " + e.getMessage());
            return;
        }
        out.println("family:      " + family.familyName() + " (architecture " + family.common().architecture() + ")");
        for (String feature : family.features()) {
            out.println("  " + feature);
        }
    }
}
