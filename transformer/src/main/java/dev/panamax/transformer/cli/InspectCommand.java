package dev.panamax.transformer.cli;

import dev.panamax.transformer.family.Families;
import dev.panamax.formats.Inspector;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.WeightTraffic;
import dev.panamax.transformer.family.FamilyConfig;
import dev.panamax.transformer.lora.LoraAdapter;
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

    @Parameters(index = "0", paramLabel = "FILE", description = "a .gguf or .safetensors file, or a PEFT adapter directory")
    Path file;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path peft = file.getFileName() != null && file.getFileName().toString().equals("adapter_model.safetensors")
                ? file.toAbsolutePath().getParent() : file;
        if (Files.isDirectory(peft) && LoraAdapter.isAdapter(peft)) {
            adapter(LoraAdapter.open(peft), out);
            out.flush();
            return 0;
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a directory; inspect takes one .gguf or .safetensors file"
                    + " (for a checkpoint directory, one of its *.safetensors files)");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        Inspector.inspect(file, out);
        if (LoraAdapter.isAdapter(file)) {
            adapter(LoraAdapter.open(file), out);
        } else {
            family(out);
        }
        out.flush();
        return 0;
    }

    /** An adapter's rank, alpha, scale rule and the projections it changes. */
    private static void adapter(LoraAdapter a, PrintWriter out) {
        out.println("adapter:     " + a.kind() + " LoRA, rank " + a.rank() + ", alpha " + a.alpha()
                + (a.rsLora() ? ", rsLoRA (scale alpha / sqrt(r))" : a.alpha() == 0 ? " (none: scale as given)" : " (scale alpha / r)"));
        out.println("targets:     " + String.join(", ", a.targets()) + " (" + a.factors().size() + " tensors)");
        if (!a.declaredTargets().isEmpty()) {
            out.println("target_modules: " + String.join(", ", a.declaredTargets()));
        }
    }

    /** Which family runs the file (a safetensors file: with the config.json beside it), and what it uses. */
    private void family(PrintWriter out) throws Exception {
        FamilyConfig family;
        WeightTraffic traffic = null;
        try {
            if (file.getFileName().toString().endsWith(".safetensors")) {
                Path config = file.toAbsolutePath().getParent().resolve("config.json");
                if (!Files.isRegularFile(config)) {
                    return;
                }
                family = Families.read(config);
            } else {
                try (GgufFile g = GgufFile.open(file)) {
                    family = Families.read(g);
                    traffic = WeightTraffic.of(g, family.common());
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
        if (!family.encoder()) {
            out.println(kvCache(family));
        }
        if (traffic != null) {
            out.println(traffic.describe());
        }
    }

    /**
     * The KV cache one sequence takes at the context a load allocates by default, F16, steps of the default batch:
     * sliding-window layers keep {@code W - 1 + batch} positions, the others the whole context.
     */
    static String kvCache(FamilyConfig family) {
        LoadOptions d = LoadOptions.defaults();
        int context = Math.min(family.common().contextLength(), LoadOptions.DEFAULT_CONTEXT_CAP);
        long ring = family.kvCacheBytes(context, d.cacheType(), d.maxBatch(), true);
        long full = family.kvCacheBytes(context, d.cacheType(), d.maxBatch(), false);
        return String.format("kv cache:    %d bytes per sequence at context %d (%s, steps of %d), %d per position%s", ring, context,
                d.cacheType(), d.maxBatch(), ring / Math.max(1, context),
                ring == full ? "" : String.format(" (%d without window caches for the sliding-window layers)", full));
    }
}
