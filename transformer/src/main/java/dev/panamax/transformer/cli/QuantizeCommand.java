package dev.panamax.transformer.cli;

import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.formats.quant.QuantizationPlan;
import dev.panamax.transformer.HfToGguf;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code panamax quantize --type Q4_K_M [--pure] [--force] IN OUT.gguf}, as llama.cpp's llama-quantize. IN is a
 * GGUF file or a Hugging Face checkpoint directory, first converted as convert_hf_to_gguf.py does ({@link HfToGguf}).
 * A progress bar shows on a terminal; an existing OUT is kept unless {@code --force} is given.
 */
@Command(name = "quantize", description = "Quantize an F32/F16/BF16 GGUF model, or a Hugging Face checkpoint directory (config.json,"
        + " safetensors incl. FP8 with block scales, tokenizer.json), with llama-quantize's tensor type rules and bytes.")
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K_S, Q4_K_M (= Q4_K), Q5_K_S, Q5_K_M (= Q5_K), Q6_K, MXFP4_MOE, F16, BF16")
    String type;

    @Option(names = "--pure", description = "give every matrix the same type (token_embd and output included)")
    boolean pure;

    @Option(names = {"-f", "--force"}, description = "overwrite OUT.gguf if it exists")
    boolean force;

    @Option(names = "--progress", description = "show the progress bar even when stderr is not a terminal")
    boolean forceProgress;

    @Parameters(index = "0", paramLabel = "IN", description = "the F32, F16 or BF16 GGUF model, or a Hugging Face checkpoint directory"
            + " (llama/mistral/mixtral, qwen2, qwen2moe, qwen3, qwen3moe, gemma, gemma2, gemma3, gpt-oss, phi3, olmo2, granite,"
            + " starcoder2, deepseek2)")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "the file to write (in an existing directory)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(in) && !Files.isDirectory(in)) {
            throw new IllegalArgumentException("no such file or directory: " + in);
        }
        QuantType quantType = QuantType.parse(type);
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no such directory: " + dir + " (to write " + out.getFileName() + " in); create it first");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " is a directory; give the file to write, e.g. " + out.resolve("model-" + quantType + ".gguf"));
        }
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; pass --force to overwrite it");
        }
        long start = System.nanoTime();
        QuantizationPlan plan;
        Path source = in;
        if (Files.isDirectory(in)) {
            source = dir.resolve(out.getFileName() + ".converting.gguf");
            HfToGguf.convert(in, source);
        }
        try (ProgressBar bar = ProgressBar.onTerminal("Quantizing " + in.getFileName(), spec.commandLine().getErr(), forceProgress)) {
            plan = ModelQuantizer.quantize(source, out, quantType, pure, bar::loaded);
        } finally {
            if (source != in) {
                Files.deleteIfExists(source);
            }
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (QuantizationPlan.Entry e : plan.entries()) {
            counts.merge(e.to().toString(), 1, Integer::sum);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("%s -> %s: %s%s, %d tensors %s, %.1f MB -> %.1f MB in %.1f s%n", in, out, quantType, pure ? " (pure)" : "",
                plan.entries().size(), counts, size(in) / 1e6, Files.size(out) / 1e6, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** A file's size, or a directory's files' sizes summed. */
    private static long size(Path p) throws java.io.IOException {
        if (!Files.isDirectory(p)) {
            return Files.size(p);
        }
        try (var files = Files.list(p)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
