package dev.panamax.transformer.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.panamax.formats.JsonTree;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code panamax tokenize --model FILE TEXT}: the token ids of a text (BOS as the model asks), one per
 * line with its piece; or {@code --input FILE}: one line of ids per input line (plain text, or JSON
 * lines with a {@code "text"} field), so that a whole corpus is checked in one process.
 */
@Command(name = "tokenize", description = "Show the tokens of a text with a model's tokenizer (GGUF file or tokenizer.json).")
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "A .gguf file, a tokenizer.json, or a checkpoint directory holding one.")
    Path model;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--input", paramLabel = "FILE",
            description = "Tokenize every line of FILE (one text per line, or JSON lines with a \"text\" field); "
                    + "prints one line of ids per input.")
    Path input;

    @Option(names = "--no-special", description = "Do not add BOS/EOS.")
    boolean noSpecial;

    @Option(names = "--parse-special", description = "Recognise control tokens written in the text.")
    boolean parseSpecial;

    @Option(names = "--ids", description = "Print only the ids, on one line.")
    boolean idsOnly;

    @Override
    public Integer call() throws IOException {
        if ((text == null) == (input == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give either TEXT or --input FILE");
        }
        if (input != null && !Files.isRegularFile(input)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--input " + input + ": no such file");
        }
        Tokenizer tokenizer = open(model);
        PrintWriter out = spec.commandLine().getOut();
        if (input != null) {
            tokenizeLines(tokenizer, out);
            return 0;
        }
        int[] ids = tokenizer.encode(text, !noSpecial, parseSpecial);
        if (idsOnly) {
            out.println(idLine(ids));
        } else {
            for (int id : ids) {
                out.printf("%8d  '%s'%n", id, tokenizer.vocabulary().text(id));
            }
            out.printf("%d tokens%n", ids.length);
        }
        return 0;
    }

    private void tokenizeLines(Tokenizer tokenizer, PrintWriter out) throws IOException {
        JsonFactory json = new JsonFactory();
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                String t = line;
                if (line.startsWith("{")) {
                    try (JsonParser p = json.createParser(line)) {
                        p.nextToken();
                        if (!(JsonTree.read(p) instanceof Map<?, ?> m) || !(m.get("text") instanceof String s)) {
                            throw new dev.panamax.formats.FormatException(input, "line " + number + ".text", line,
                                    "a JSON line needs a string field \"text\"");
                        }
                        t = s;
                    }
                }
                out.println(idLine(tokenizer.encode(t, !noSpecial, parseSpecial)));
            }
        }
    }

    private static String idLine(int[] ids) {
        StringBuilder line = new StringBuilder();
        for (int id : ids) {
            line.append(line.isEmpty() ? "" : " ").append(id);
        }
        return line.toString();
    }

    private static Tokenizer open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such model or tokenizer file");
        }
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
