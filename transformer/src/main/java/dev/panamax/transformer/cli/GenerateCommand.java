package dev.panamax.transformer.cli;

import dev.panamax.tensor.Ops;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.Generator;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.TokenTextDecoder;
import dev.panamax.transformer.tokenizer.StreamingDecoder;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code panamax generate --model FILE --prompt TEXT}: streams the prompt and its continuation to stdout, then
 * prints one line to stderr: {@code prefill: N tokens in S s (X tokens/s); decode: M tokens in S s (Y tokens/s)}.
 */
@Command(name = "generate", description = "Continue a prompt with a GGUF model or a Hugging Face checkpoint, streaming the text.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--prompt"}, defaultValue = "", description = "The prompt (default: empty, i.e. BOS only).")
    String prompt;

    @Option(names = "--dump-logits", paramLabel = "FILE",
            description = "Write the logits of the last prompt position to FILE, one value per line (for comparing implementations).")
    Path dumpLogits;

    @Option(names = "--timings", description = "Also print on stderr how long the start took: process start to the model"
            + " loaded and to the first generated token (issue 18's start-up target).")
    boolean timings;

    @Mixin
    GenerationOptions options;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long s = options.resolveSeed();
        long called = System.currentTimeMillis();
        try (Ops ops = options.openBackend(); Model m = options.openModel(options.model, ops, err)) {
            long loaded = System.currentTimeMillis();
            Tokenizer tokenizer = m.tokenizer();
            int[] ids = tokenizer.encode(prompt, true, false);
            if (ids.length == 0) {
                if (tokenizer.bos() < 0) {
                    throw new IllegalArgumentException("the prompt is empty and the vocabulary has no BOS token to start from");
                }
                ids = new int[] {tokenizer.bos()};
            }
            if (dumpLogits != null) {
                writeLogits(m.transformer().forward(ids, 0)); // the generation below refills the same cache positions
            }
            Sampler sampler = new Sampler(options.samplerSettings(s), m.config().vocabSize());
            Generator g = new Generator(m.transformer(), sampler, tokenizer::isEog);
            // echo the prompt through the same decoder, so that the continuation's spacing is right; a
            // leading BOS is left out, so that the first word loses the space SentencePiece put in front
            StreamingDecoder decoder = new StreamingDecoder(tokenizer);
            for (int i = ids[0] == tokenizer.bos() ? 1 : 0; i < ids.length; i++) {
                out.print(decoder.next(ids[i]));
            }
            out.flush();
            long[] firstToken = {0};
            GenerationResult r = g.generate(ids, options.tokens, TokenTextDecoder.of(decoder), text -> {
                if (firstToken[0] == 0) {
                    firstToken[0] = System.currentTimeMillis();
                }
                out.print(text);
                out.flush();
            });
            out.println();
            out.flush(); // the text first, then the speed line on stderr
            if (r.stopReason() == GenerationResult.StopReason.CONTEXT_FULL) {
                err.println("panamax generate: stopped after " + r.tokens().length + " tokens: the context of "
                        + m.config().contextLength() + " positions is full (a larger -c gives more room)");
            }
            err.println(r.summary());
            if (timings) {
                err.println(startTimings(called, loaded, firstToken[0]));
            }
            err.flush();
        }
        return 0;
    }

    /** {@code start: ...} from the process's start (as the OS recorded it, to 10 ms) to each milestone. */
    private static String startTimings(long called, long loaded, long firstToken) {
        long start = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(called);
        return String.format(java.util.Locale.ROOT, "start: command running %.3f s, model loaded %.3f s, first token %s after process start",
                (called - start) / 1e3, (loaded - start) / 1e3, firstToken == 0 ? "none" : String.format(java.util.Locale.ROOT, "%.3f s",
                        (firstToken - start) / 1e3));
    }

    private void writeLogits(float[] logits) throws IOException {
        Files.writeString(dumpLogits, IntStream.range(0, logits.length).mapToObj(i -> Float.toString(logits[i]))
                .collect(Collectors.joining("\n", "", "\n")));
    }
}
