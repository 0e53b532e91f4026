package dev.panamax.transformer.cli;

import dev.panamax.formats.Inspector;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code panamax inspect FILE}: architecture, metadata and the tensor table of a GGUF or safetensors file. */
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
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        PrintWriter out = spec.commandLine().getOut();
        Inspector.inspect(file, out);
        out.flush();
        return 0;
    }
}
