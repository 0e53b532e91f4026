package dev.panamax.transformer.cli;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.Generator;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.SamplerSettings;
import dev.panamax.transformer.sampling.TokenTextDecoder;
import dev.panamax.transformer.tokenizer.StreamingDecoder;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code panamax generate MODEL -p PROMPT}: stream a continuation of the prompt, then report speeds. */
@Command(name = "generate", description = "Continue a prompt with a GGUF model or a Hugging Face checkpoint, streaming the text.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A .gguf file or a Hugging Face checkpoint directory.")
    Path model;

    @Option(names = {"-p", "--prompt"}, defaultValue = "", description = "The prompt (default: empty, i.e. BOS only).")
    String prompt;

    @Option(names = {"-n", "--tokens"}, defaultValue = "128", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--temp", defaultValue = "0.8", description = "Temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        long s = seed >= 0 ? seed : System.nanoTime();
        try (Ops ops = backend == null ? Backends.openCpu(t) : Backends.open(backend, t);
             Model m = Model.open(model, ops, new LoadOptions(batch, cacheType, context))) {
            Tokenizer tokenizer = m.tokenizer();
            int[] ids = tokenizer.encode(prompt, true, false);
            if (ids.length == 0) {
                if (tokenizer.bos() < 0) {
                    throw new IllegalArgumentException("the prompt is empty and the vocabulary has no BOS token to start from");
                }
                ids = new int[] {tokenizer.bos()};
            }
            SamplerSettings settings = new SamplerSettings(temperature, topK, topP, minP, repeatPenalty, 0, 0, repeatLastN, s);
            Generator g = new Generator(m.transformer(), new Sampler(settings, m.config().vocabSize()), tokenizer::isEog);
            // echo the prompt through the same decoder, so that the continuation's spacing is right; a
            // leading BOS is left out, so that the first word loses the space SentencePiece put in front
            StreamingDecoder decoder = new StreamingDecoder(tokenizer);
            for (int i = ids[0] == tokenizer.bos() ? 1 : 0; i < ids.length; i++) {
                out.print(decoder.next(ids[i]));
            }
            out.flush();
            GenerationResult r = g.generate(ids, tokens, TokenTextDecoder.of(decoder), text -> {
                out.print(text);
                out.flush();
            });
            out.println();
            err.printf("%s on %s; seed %d%n", r.summary(), ops.name(), s);
            err.flush();
        }
        return 0;
    }
}
