package dev.panamax.transformer.cli;

import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.formats.quant.QuantizationPlan;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;
import dev.panamax.transformer.lora.LoraMerger;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code panamax lora merge --model BASE.gguf --lora A[:SCALE]... --out FILE [--type Q4_K_M]}: adapters merged into a new GGUF. */
@Command(name = "lora", description = "LoRA adapters: merge them into a base model.", subcommands = LoraCommand.Merge.class)
final class LoraCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: lora merge");
    }

    @Command(name = "merge", description = "Write BASE with W + scale * B * A for every adapted matrix (F32), then quantize to --type if given.")
    static final class Merge implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-m", "--model"}, required = true, paramLabel = "BASE.gguf", description = "the GGUF base model")
        Path model;

        @Option(names = "--lora", required = true, paramLabel = "FILE[:SCALE]", description = "a GGUF or PEFT adapter at SCALE (default 1); repeatable")
        List<String> loras;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "the GGUF file to write")
        Path out;

        @Option(names = "--type", paramLabel = "TYPE", description = "quantize the merged model, with quantize's rules (e.g. Q4_K_M, Q8_0)")
        String type;

        @Option(names = {"-f", "--force"}, description = "overwrite FILE if it exists")
        boolean force;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException("no such file: " + model);
            }
            if (Files.exists(out) && !force) {
                throw new IllegalArgumentException(out + " exists; pass --force to overwrite it");
            }
            QuantType quant = type == null ? null : QuantType.parse(type);
            AdapterSet set = AdapterSet.NONE;
            for (String lora : loras) {
                LoraSpec s = LoraSpec.parse(lora);
                if (s == null) {
                    throw new ParameterException(spec.commandLine(), "Invalid value for option '--lora': " + lora
                            + " (it must be FILE or FILE:SCALE with a finite SCALE)");
                }
                set = set.with(LoraAdapter.open(s.path()), s.scale());
            }
            PrintWriter w = spec.commandLine().getOut();
            long start = System.nanoTime();
            if (quant == null) {
                int n = LoraMerger.merge(model, set, out, false);
                w.printf("%s + %d adapter(s) -> %s: %d matrices merged (F32), %.1f s%n", model, loras.size(), out, n, (System.nanoTime() - start) / 1e9);
                return 0;
            }
            Path f32 = Files.createTempFile(out.toAbsolutePath().getParent(), "merged-", ".f32.gguf");
            try {
                int n = LoraMerger.merge(model, set, f32, true);
                QuantizationPlan plan = ModelQuantizer.quantize(f32, out, quant, false);
                w.printf("%s + %d adapter(s) -> %s: %d matrices merged, %d tensors quantized to %s, %.1f s%n", model, loras.size(), out, n,
                        plan.entries().size(), quant, (System.nanoTime() - start) / 1e9);
            } finally {
                Files.deleteIfExists(f32);
            }
            return 0;
        }
    }
}
