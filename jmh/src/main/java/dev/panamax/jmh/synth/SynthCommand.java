package dev.panamax.jmh.synth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synth}: writes a synthetic model (random weights, the real shapes, tensor names and
 * metadata of a known model) as GGUF, for end-to-end benchmarks of Panamax and llama.cpp on the same file.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Writes a GGUF model with random weights and the real shapes and metadata of a known model.")
public final class SynthCommand implements Callable<Integer> {
    /** Creates an instance. */
    public SynthCommand() {
    }

    @Option(names = "--shape", required = true, description = "tinyllama-1.1b, llama-3.2-1b, llama-3-8b, mistral-7b, qwen3-0.6b, qwen3-30b-a3b, gemma3-1b, "
            + "phi-4-mini, deepseek-v2-lite or gpt-oss-20b")
    String shape;

    @Option(names = "--layers", description = "Blocks to write (default: all of the real model).")
    Integer layers;

    @Option(names = "--type", defaultValue = "q4_0", description = "f32, f16, q8_0, q4_0, q4_k_m, q6_k or mxfp4_moe (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "The GGUF file to write.")
    Path out;

    /**
     * Writes a synthetic model and exits with the command's code.
     *
     * @param args the command line's arguments (see {@code --help})
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SynthCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SynthShape s = SynthShape.named(shape);
        if (layers != null) {
            s = s.withLayers(layers);
        }
        SynthType t = SynthType.parse(type);
        long start = System.nanoTime();
        SynthModel.write(s, t, out, seed);
        System.out.printf("wrote %s: %s (%s), %d layers, %s, %.1f MB in %.1f s; %.0f M parameters, %.0f M active per token, "
                + "%.1f MB of weights read per token%n", out, s.name(), s.architecture(), s.layers(), t, Files.size(out) / 1e6,
                (System.nanoTime() - start) / 1e9, SynthModel.totalParams(s) / 1e6, SynthModel.matmulParams(s) / 1e6,
                SynthModel.bytesPerToken(s, t) / 1e6);
        return 0;
    }
}
