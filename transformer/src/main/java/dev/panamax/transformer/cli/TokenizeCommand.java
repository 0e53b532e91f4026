package dev.panamax.transformer.cli;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code panamax tokenize --model FILE TEXT}: the token ids of a text (BOS as the model asks), one per line with its piece. */
@Command(name = "tokenize", description = "Show the tokens of a text with a model's tokenizer (GGUF file or tokenizer.json).")
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "A .gguf file, a tokenizer.json, or a checkpoint directory holding one.")
    Path model;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--no-special", description = "Do not add BOS/EOS.")
    boolean noSpecial;

    @Option(names = "--parse-special", description = "Recognise control tokens written in the text.")
    boolean parseSpecial;

    @Option(names = "--ids", description = "Print only the ids, on one line.")
    boolean idsOnly;

    @Override
    public Integer call() throws IOException {
        Tokenizer tokenizer = open(model);
        int[] ids = tokenizer.encode(text, !noSpecial, parseSpecial);
        PrintWriter out = spec.commandLine().getOut();
        if (idsOnly) {
            StringBuilder line = new StringBuilder();
            for (int id : ids) {
                line.append(line.isEmpty() ? "" : " ").append(id);
            }
            out.println(line);
        } else {
            for (int id : ids) {
                out.printf("%8d  '%s'%n", id, tokenizer.vocabulary().text(id));
            }
            out.printf("%d tokens%n", ids.length);
        }
        return 0;
    }

    private static Tokenizer open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return Tokenizer.fromHuggingFace(path.resolve("tokenizer.json"));
        }
        if (path.getFileName().toString().endsWith(".json")) {
            return Tokenizer.fromHuggingFace(path);
        }
        try (GgufFile gguf = GgufFile.open(path)) {
            return Tokenizer.fromGguf(gguf.model());
        }
    }
}
