package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.OpsProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Both backends are found by name through ServiceLoader; without the Vector API, openCpu falls back once. */
class BackendsTest {

    @Test
    void both_backends_are_registered_and_open_by_name() {
        List<String> names = Backends.providers().stream().map(OpsProvider::name).toList();
        assertTrue(names.contains("reference") && names.contains("cpu"), "providers: " + names);
        try (Ops ops = Backends.open("reference", 4)) {
            assertEquals("reference", ops.name());
        }
        try (Ops ops = Backends.open("cpu", 3)) {
            assertEquals("cpu", ops.name());
            assertEquals(3, ((CpuOps) ops).threads());
        }
        try (Ops ops = Backends.openCpu(2)) {
            assertEquals("cpu", ops.name()); // this JVM has --add-modules jdk.incubator.vector
        }
    }

    @Test
    void without_the_vector_api_openCpu_falls_back_to_reference_with_one_warning() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // the same class path, but no --add-modules jdk.incubator.vector
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FallbackMain.class.getName());
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        String stdout;
        String stderr;
        try (var out = p.getInputStream(); var err = p.getErrorStream()) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
            stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(0, p.exitValue(), "child failed:\n" + stdout + stderr);
        assertEquals("reference\nreference\ncpu unavailable: the Vector API module is not enabled: start the JVM with"
                + " --add-modules jdk.incubator.vector\n", stdout.replace("\r", ""));
        long warnings = stderr.lines().filter(l -> l.contains("falls back to the scalar 'reference' kernels")).count();
        assertEquals(1, warnings, "expected exactly one warning, stderr was:\n" + stderr);
    }

    /** Run in a child JVM without the Vector API: opens the CPU backend twice and prints what it got. */
    public static final class FallbackMain {
        public static void main(String[] args) {
            for (int i = 0; i < 2; i++) {
                try (Ops ops = Backends.openCpu(2)) {
                    System.out.println(ops.name());
                }
            }
            System.out.println("cpu unavailable: " + Backends.provider("cpu").unavailableReason().orElse("no"));
        }
    }
}
