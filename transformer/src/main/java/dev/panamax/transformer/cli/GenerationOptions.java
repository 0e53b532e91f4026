package dev.panamax.transformer.cli;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import dev.panamax.transformer.sampling.SamplerSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options shared by the commands that generate text: sampling, backend, context. A picocli mixin. */
final class GenerationOptions {
    /** The command this is mixed into, for usage errors. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

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

    @Option(names = {"-t", "--threads"}, defaultValue = "0",
            description = "CPU threads for the kernels; 0 = one per processor (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0",
            description = "Context to allocate; 0 = the model's, capped at 4096 (default: ${DEFAULT-VALUE})."
                    + " Beyond the model's own context it warns: text there is likely to degrade.")
    int context;

    @Option(names = "--cache-type", defaultValue = "F16", description = "KV cache type: F16 or F32 (default: ${DEFAULT-VALUE}).")
    DType cacheType;

    @Option(names = "--batch-size", defaultValue = "64", description = "Prompt tokens per forward step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--progress", description = "Show the loading progress bar even when stderr is not a terminal.")
    boolean forceProgress;

    /**
     * The backend asked for, with the threads asked for (all processors by default), once the options
     * are checked: a value out of range is a usage error that names its option.
     */
    Ops openBackend() {
        validate();
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return backend == null ? Backends.openCpu(t) : Backends.open(backend, t);
    }

    /** Throws a usage error naming the first option whose value is out of range. */
    void validate() {
        check(tokens >= 0, "--tokens", tokens, "0 or more");
        check(temperature >= 0 && Float.isFinite(temperature), "--temperature", temperature, "0 (greedy) or more");
        check(topK >= 0, "--top-k", topK, "0 (off) or more");
        check(topP > 0 && topP <= 1, "--top-p", topP, "above 0 and at most 1 (off)");
        check(minP >= 0 && minP <= 1, "--min-p", minP, "from 0 (off) to 1");
        check(repeatPenalty > 0 && Float.isFinite(repeatPenalty), "--repeat-penalty", repeatPenalty, "above 0 (1 is off)");
        check(repeatLastN >= 0, "--repeat-last-n", repeatLastN, "0 or more");
        check(threads >= 0, "--threads", threads, "0 (one per processor) or more");
        check(context >= 0, "--ctx-size", context, "0 (the model's) or more");
        check(batch >= 1, "--batch-size", batch, "1 or more");
    }

    private void check(boolean ok, String option, Object value, String range) {
        if (!ok) {
            throw new ParameterException(command.commandLine(),
                    "Invalid value for option '" + option + "': " + value + " (it must be " + range + ")");
        }
    }

    /**
     * Opens {@code path} on {@code ops}, with a progress bar on {@code err} if loading takes a while on a
     * terminal, and warns on {@code err} if {@code --ctx-size} asks for more than the model's own context.
     */
    Model openModel(Path path, Ops ops, PrintWriter err) {
        Model m;
        try (ProgressBar bar = ProgressBar.forLoading(String.valueOf(path.getFileName()), err, forceProgress)) {
            m = Model.open(path, ops, loadOptions(), bar);
        }
        // the model's config holds the context allocated; the file says what it was trained for
        int trained = m.gguf().map(g -> g.model().contextLength()).orElse(0);
        if (context > trained && trained > 0) {
            err.printf("panamax %s: warning: --ctx-size %d is more than the %d positions %s was trained for;"
                    + " text past them is likely to degrade%n", command.name(), context, trained, path.getFileName());
            err.flush();
        }
        return m;
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
