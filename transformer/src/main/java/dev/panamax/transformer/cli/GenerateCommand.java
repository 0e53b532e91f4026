package dev.panamax.transformer.cli;

import dev.panamax.tensor.Ops;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.Generator;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.TokenTextDecoder;
import dev.panamax.transformer.tokenizer.StreamingDecoder;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    GenerationOptions options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long s = options.resolveSeed();
        try (Ops ops = options.openBackend(); Model m = options.openModel(model, ops, err)) {
            Tokenizer tokenizer = m.tokenizer();
            int[] ids = tokenizer.encode(prompt, true, false);
            if (ids.length == 0) {
                if (tokenizer.bos() < 0) {
                    throw new IllegalArgumentException("the prompt is empty and the vocabulary has no BOS token to start from");
                }
                ids = new int[] {tokenizer.bos()};
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
            GenerationResult r = g.generate(ids, options.tokens, TokenTextDecoder.of(decoder), text -> {
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
