package dev.panamax.transformer.cli;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.formats.quant.QuantizationPlan;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;
import dev.panamax.transformer.lora.LoraMerger;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code panamax lora merge --model BASE.gguf --lora A[:SCALE]... --out FILE [--type Q4_K_M]}: adapters merged into a new GGUF;
 * {@code panamax lora random --model BASE.gguf --rank 16 --out FILE}: a random adapter of BASE's projections (for benchmarks).
 */
@Command(name = "lora", description = "LoRA adapters: merge them into a base model, or write a random one.",
        subcommands = {LoraCommand.Merge.class, LoraCommand.RandomAdapter.class})
final class LoraCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: lora merge or lora random");
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

    @Command(name = "random", description = "Write a llama.cpp GGUF adapter of random factors for BASE's projections"
            + " (a [r, in] ~ N(0, 1/in), b [out, r] ~ N(0, 0.01/r)): for benchmarks and tests, not a trained adapter.")
    static final class RandomAdapter implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-m", "--model"}, required = true, paramLabel = "BASE.gguf", description = "the GGUF base model")
        Path model;

        @Option(names = "--rank", defaultValue = "16", description = "the rank r (default: ${DEFAULT-VALUE})")
        int rank;

        @Option(names = "--targets", split = ",", defaultValue = "attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down",
                description = "the projections of every block to adapt (default: ${DEFAULT-VALUE})")
        List<String> targets;

        @Option(names = "--type", defaultValue = "F16", description = "the factors' type: F16 (as convert_lora_to_gguf.py) or F32")
        String type;

        @Option(names = "--seed", defaultValue = "42", description = "seed of the random factors (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "the adapter file to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (rank < 1) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--rank': " + rank + " (it must be 1 or more)");
            }
            DType dtype = switch (type.toUpperCase(Locale.ROOT)) {
                case "F16" -> DType.F16;
                case "F32" -> DType.F32;
                default -> throw new ParameterException(spec.commandLine(), "Invalid value for option '--type': " + type + " (F16 or F32)");
            };
            Random random = new Random(seed);
            GgufWriter w = new GgufWriter();
            int written = 0;
            try (GgufFile base = GgufFile.open(model);
                 Arena arena = Arena.ofConfined()) {
                w.putString("general.architecture", base.metadata().findString("general.architecture").orElse("llama"));
                w.putString("general.type", "adapter");
                w.putString("adapter.type", "lora");
                w.putFloat32("adapter.lora.alpha", rank);
                for (GgufTensorInfo t : base.tensorInfos()) {
                    String name = t.name();
                    if (!name.startsWith("blk.") || !name.endsWith(".weight") || t.shape().length != 2
                            || !targets.contains(name.substring(name.indexOf('.', 4) + 1, name.length() - 7))) {
                        continue;
                    }
                    long rows = t.shape()[0], cols = t.shape()[1];
                    w.addTensor(name + ".lora_a", gaussian(arena, random, 1 / Math.sqrt(cols), dtype, rank, cols));
                    w.addTensor(name + ".lora_b", gaussian(arena, random, 0.01 / rank, dtype, rows, rank));
                    written++;
                }
                if (written == 0) {
                    throw new IllegalArgumentException(model + " has no projection named " + targets + " in its blocks");
                }
                w.write(out); // the factors live in the arena
            }
            spec.commandLine().getOut().printf("%s: rank %d, %d projections of %s, %s factors%n", out, rank, written, model, dtype);
            return 0;
        }

        private static Tensor gaussian(Arena arena, Random random, double sigma,
                                                          DType type, long rows, long cols) {
            float[] v = new float[Math.toIntExact(rows * cols)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * sigma);
            }
            return Tensor.of(arena, v, rows, cols).to(arena, type);
        }
    }
}
