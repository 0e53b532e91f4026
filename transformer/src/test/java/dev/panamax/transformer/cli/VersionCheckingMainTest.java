package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The entry point that tells a Java 17 or 21 user, in one line, that Panamax needs Java 25. */
class VersionCheckingMainTest {

    @Test
    void it_is_compiled_for_java_8_so_that_any_older_jvm_loads_it() throws IOException {
        try (InputStream in = VersionCheckingMain.class.getResourceAsStream("VersionCheckingMain.class");
             DataInputStream data = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort(); // minor
            assertEquals(52, data.readUnsignedShort(), "class file major version (52 = Java 8)");
        }
    }

    @Test
    void java_17_and_21_are_told_what_is_needed_and_which_java_ran() {
        for (String old : new String[] {"1.8", "11", "17", "21", "24"}) {
            String message = VersionCheckingMain.problem(old, "/opt/java-" + old);
            assertTrue(message.contains("needs Java 25") && message.contains("this is Java " + old + " (/opt/java-" + old + ")"), message);
            assertTrue(!message.contains("\n"), "one line: " + message);
        }
    }

    @Test
    void java_25_and_newer_pass() {
        assertNull(VersionCheckingMain.problem("25", "/opt/java"));
        assertNull(VersionCheckingMain.problem("26", "/opt/java"));
        assertNull(VersionCheckingMain.problem(System.getProperty("java.specification.version"), "this JVM"));
    }

    @Test
    void feature_releases_are_read_from_old_and_new_version_strings() {
        assertEquals(8, VersionCheckingMain.featureRelease("1.8"));
        assertEquals(17, VersionCheckingMain.featureRelease("17"));
        assertEquals(25, VersionCheckingMain.featureRelease("25"));
        assertEquals(0, VersionCheckingMain.featureRelease(null));
        assertEquals(0, VersionCheckingMain.featureRelease("unknown"));
    }

    /** End to end, where an older JDK is installed (Debian's openjdk-17 on the development machine). */
    @Test
    void an_older_java_prints_the_one_line_and_exits_with_1() throws Exception {
        Optional<Path> old = olderJava();
        assumeTrue(old.isPresent(), "no JDK older than 25 under /usr/lib/jvm");
        Path classes = Path.of(VersionCheckingMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process p = new ProcessBuilder(old.get().toString(), "-cp", classes.toString(), VersionCheckingMain.class.getName(), "info")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("panamax: Panamax needs Java 25 or newer, but this is Java "), err);
    }

    private static Optional<Path> olderJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/java")) && Files.isRegularFile(d.resolve("release")))
                    .filter(d -> {
                        try {
                            String release = Files.readString(d.resolve("release"));
                            int at = release.indexOf("JAVA_VERSION=\"");
                            return at >= 0 && VersionCheckingMain.featureRelease(release.substring(at + 14)) < 25
                                    && VersionCheckingMain.featureRelease(release.substring(at + 14)) >= 8;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .map(d -> d.resolve("bin/java")).findFirst();
        }
    }
}
