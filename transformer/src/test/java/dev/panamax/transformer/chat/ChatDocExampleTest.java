package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code example of docs/chat.md compiles against the current API and prints what the page says. */
class ChatDocExampleTest {

    @Test
    void theChatPagesExamplePrintsWhatThePageSays(@TempDir Path dir) throws Exception {
        String page = Files.readString(Path.of("..", "docs", "chat.md"));
        String source = block(page, "<!-- example:start -->", "```java");
        String expected = block(page, "<!-- output:start -->", "```");
        Path file = dir.resolve("ChatExample.java");
        Files.writeString(file, source);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        PrintStream report = new PrintStream(diagnostics, true, StandardCharsets.UTF_8);
        int rc = ToolProvider.findFirst("javac").orElseThrow().run(report, report, "--release", "25", "-cp",
                System.getProperty("java.class.path"), "-d", dir.toString(), file.toString());
        assertEquals(0, rc, () -> "docs/chat.md's example does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass("ChatExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        assertEquals(expected, out.toString(StandardCharsets.UTF_8));
    }

    /** The fenced block after {@code marker}, opened by {@code fence}, without its fences (ending in a newline). */
    private static String block(String page, String marker, String fence) {
        int at = page.indexOf(marker);
        assertTrue(at >= 0, "docs/chat.md has " + marker);
        int start = page.indexOf(fence, at) + fence.length() + 1;
        int end = page.indexOf("```", start);
        return page.substring(start, end);
    }
}
