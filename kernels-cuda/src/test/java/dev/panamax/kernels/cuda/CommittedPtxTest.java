package dev.panamax.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX is exactly what nvcc makes of the CUDA sources with scripts/build-ptx.sh's
 * flags, so nobody edits one without the other. nvcc's PTX carries no date or path, so the files
 * are compared byte for byte. Skipped where nvcc is not on the PATH (CI).
 */
class CommittedPtxTest {
    /** The module directory: the working directory under Maven, kernels-cuda/ from the repository root. */
    private static final Path MODULE = Files.isDirectory(Path.of("src/main/cuda")) ? Path.of("") : Path.of("kernels-cuda");
    private static final Path SOURCES = MODULE.resolve("src/main/cuda");
    private static final Path COMMITTED = MODULE.resolve("src/main/resources/dev/panamax/kernels/cuda");

    @Test
    void the_committed_ptx_is_what_nvcc_compiles_from_the_sources(@TempDir Path out) throws Exception {
        Path nvcc = onPath("nvcc");
        assumeTrue(nvcc != null, "nvcc is not on the PATH; the committed PTX is not recompiled");
        assumeTrue(Files.isDirectory(SOURCES), "the CUDA sources are not here (" + SOURCES.toAbsolutePath() + ")");
        List<Path> sources;
        try (Stream<Path> s = Files.list(SOURCES)) {
            sources = s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
        assertTrue(sources.size() >= 7, "expected the CUDA sources in " + SOURCES.toAbsolutePath());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (Path cu : sources) {
                results.add(pool.submit(() -> compare(nvcc, cu, out)));
            }
            List<String> problems = new ArrayList<>();
            for (Future<String> f : results) {
                String p = f.get(120, TimeUnit.SECONDS);
                if (p != null) {
                    problems.add(p);
                }
            }
            assertEquals(List.of(), problems, "run scripts/build-ptx.sh and commit the PTX");
        } finally {
            pool.shutdownNow();
        }
    }

    private static String compare(Path nvcc, Path cu, Path out) throws IOException, InterruptedException {
        String name = cu.getFileName().toString().replace(".cu", "");
        Path ptx = out.resolve(name + ".ptx");
        Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=compute_80", "-O3", "-o", ptx.toString(), cu.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            return name + ".cu does not compile: " + log;
        }
        Path committed = COMMITTED.resolve(name + ".ptx");
        if (!Files.exists(committed)) {
            return committed + " is missing";
        }
        return Files.mismatch(ptx, committed) == -1 ? null : committed + " differs from nvcc's output for " + cu;
    }

    static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
