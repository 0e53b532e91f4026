package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code example in README.md compiles against the current API and prints what it says. */
class ReadmeExampleTest {

    @Test
    void readme_example_compiles_and_prints_the_product(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```java", readme.indexOf("<!-- example:start -->")) + "```java".length();
        int end = readme.indexOf("```", start);
        assertTrue(start > "```java".length() && end > start, "README.md has an example between its markers");
        Path source = dir.resolve("Example.java");
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
            loader.loadClass("Example").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        assertEquals(List.of("tensor([[1., 2.],", "        [4., 5.]])"), out.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
