package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.chat.ChatModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code examples in README.md compile against the current API and print what they say. */
class ReadmeExampleTest {

    @Test
    void readme_example_generates_the_models_greedy_continuation(@TempDir Path dir) throws Exception {
        Path model = ChatModels.write(dir.resolve("tiny.gguf"), new Random(16), null);
        String printed = run(dir, "example", "Example", model.toString());
        String expected;
        try (LanguageModel m = LanguageModel.open(model)) {
            expected = m.generate("Once upon a time", GenerateOptions.greedy().maxTokens(16));
        }
        assertTrue(!expected.isBlank());
        assertEquals(List.of(expected), printed.lines().toList());
    }

    @Test
    void readme_tensor_example_compiles_and_prints_the_product(@TempDir Path dir) throws Exception {
        assertEquals(List.of("tensor([[1., 2.],", "        [4., 5.]])"), run(dir, "tensor-example", "TensorExample").lines().toList());
    }

    /** Compiles the README's code between {@code <!-- marker:start -->} and its end, runs {@code main(args)}, returns what it printed. */
    private String run(Path dir, String marker, String className, String... args) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```java", readme.indexOf("<!-- " + marker + ":start -->")) + "```java".length();
        int end = readme.indexOf("```", start);
        assertTrue(start > "```java".length() && end > start, "README.md has an example between its " + marker + " markers");
        Path source = dir.resolve(className + ".java");
        Files.writeString(source, readme.substring(start, end));

        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        PrintStream report = new PrintStream(diagnostics, true, StandardCharsets.UTF_8);
        int rc = javac.run(report, report, "--release", "25", "-cp", System.getProperty("java.class.path"),
                "-d", dir.toString(), source.toString());
        assertEquals(0, rc, () -> "README example does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass(className).getMethod("main", String[].class).invoke(null, (Object) args);
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
