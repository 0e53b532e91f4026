package dev.panamax.transformer.cli;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import dev.panamax.transformer.sampling.SamplerSettings;
import picocli.CommandLine.Option;

/** The options shared by the commands that generate text: sampling, backend, context. A picocli mixin. */
final class GenerationOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "A .gguf file or a Hugging Face checkpoint directory (config.json + *.safetensors).")
    Path model;

    @Option(names = {"-n", "--tokens"}, defaultValue = "128", description = "Tokens to generate at most (per reply in chat; default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = {"--temperature", "--temp"}, defaultValue = "0.8", description = "Temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Top-k, 0 off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Top-p, 1 off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Min-p, 0 off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty, 1 off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "Tokens the penalty looks back (default: ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = {"-s", "--seed"}, defaultValue = "-1", description = "Sampling seed; -1 picks one (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-b", "--backend"}, description = "Backend: cpu, reference or cuda (default: the fastest CPU backend).")
    String backend;

    @Option(names = {"-t", "--threads"}, description = "CPU threads (default: all processors).")
    Integer threads;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", description = "Context to allocate; 0 = the model's, capped at 4096.")
    int context;

    @Option(names = "--cache-type", defaultValue = "F16", description = "KV cache type: F16 or F32 (default: ${DEFAULT-VALUE}).")
    DType cacheType;

    @Option(names = "--batch-size", defaultValue = "64", description = "Prompt tokens per forward step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--progress", description = "Show the loading progress bar even when stderr is not a terminal.")
    boolean forceProgress;

    /** The backend asked for, with the threads asked for (all processors by default). */
    Ops openBackend() {
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        return backend == null ? Backends.openCpu(t) : Backends.open(backend, t);
    }

    /** Opens {@code path} on {@code ops}, with a progress bar on {@code err} if loading takes a while on a terminal. */
    Model openModel(Path path, Ops ops, PrintWriter err) {
        try (ProgressBar bar = ProgressBar.forLoading(String.valueOf(path.getFileName()), err, forceProgress)) {
            return Model.open(path, ops, loadOptions(), bar);
        }
    }

    LoadOptions loadOptions() {
        return new LoadOptions(batch, cacheType, context);
    }

    /** The seed to use: the one asked for, else one from the clock. */
    long resolveSeed() {
        return seed >= 0 ? seed : System.nanoTime();
    }

    SamplerSettings samplerSettings(long resolvedSeed) {
        return new SamplerSettings(temperature, topK, topP, minP, repeatPenalty, 0, 0, repeatLastN, resolvedSeed);
    }
}
