package dev.panamax.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import dev.panamax.jmh.limits.MachineLimitsBench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The roofline report from a synthetic result set whose rates and fractions are known by hand. */
class RooflineReportTest {
    static final MachineInfo MACHINE = new MachineInfo("Test CPU 9000", 2, 256, "Test JDK 25", "Linux test amd64", "none", 0.5);

    static BenchRecord avgt(String kernel, double millis, String... kv) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            params.put(kv[i], kv[i + 1]);
        }
        String pkg = kernel.startsWith("MachineLimits") ? "limits" : kernel.startsWith("OpenBlas") ? "blas" : "kernels";
        return new BenchRecord("dev.panamax.jmh." + pkg + "." + kernel, params, "avgt", millis, 0.01 * millis, "ms/op");
    }

    /** FMA peak 100 GFLOP/s and read bandwidth 10 GB/s on one thread; 180 and 16 on two. */
    static List<BenchRecord> canned() {
        return List.of(
                avgt("MachineLimitsBench.fmaPeak", Workloads.FMA_PEAK_FLOPS / 100e9 * 1e3, "threads", "1"),
                avgt("MachineLimitsBench.fmaPeak", Workloads.FMA_PEAK_FLOPS / 180e9 * 1e3, "threads", "2"),
                avgt("MachineLimitsBench.readBandwidth", Workloads.READ_BYTES / 10e9 * 1e3, "threads", "1"),
                avgt("MachineLimitsBench.readBandwidth", Workloads.READ_BYTES / 16e9 * 1e3, "threads", "2"),
                avgt("GemmBench.gemm", 2.0 * 1024 * 1024 * 1024 / 90e9 * 1e3, "backend", "cpu", "size", "1024", "threads", "2"),
                avgt("OpenBlasGemmBench.sgemm", 2.0 * 1024 * 1024 * 1024 / 120e9 * 1e3, "size", "1024", "threads", "2"),
                // Q4_0 4096x4096: 4096*4096/32 blocks of 18 bytes = 9437184 bytes, read in 1 ms = 9.437184 GB/s
                avgt("MatmulBench.matmul", 1.0, "backend", "cpu", "dtype", "Q4_0", "shape", "4096x4096", "tokens", "1", "threads", "1"),
                avgt("AttentionBench.decode", 0.5, "backend", "cpu", "positions", "2048", "cacheType", "F16", "threads", "2"));
    }

    static SummaryRow row(List<SummaryRow> rows, String kernel) {
        return rows.stream().filter(r -> r.record().kernel().equals(kernel)).findFirst().orElseThrow();
    }

    @Test
    void work_model_of_the_fma_limit_matches_the_benchmark() {
        assertEquals(MachineLimitsBench.FLOPS_PER_OP, Workloads.FMA_PEAK_FLOPS);
        assertEquals(MachineLimitsBench.READ_BYTES, Workloads.READ_BYTES);
    }

    @Test
    void gemm_is_judged_against_the_fma_peak_of_its_thread_count_and_openblas() {
        List<SummaryRow> rows = Roofline.rows(canned());
        SummaryRow gemm = row(rows, "GemmBench.gemm");
        assertEquals(90, gemm.gflops(), 1e-9);
        assertEquals(180, gemm.limit(), 1e-9);
        assertEquals(0.5, gemm.fraction(), 1e-12);
        assertEquals(90.0 / 120.0, gemm.vsOpenBlas(), 1e-12);
        assertEquals("GFLOP/s", gemm.metric());
    }

    @Test
    void decode_matmul_is_judged_by_weight_bytes_against_read_bandwidth() {
        SummaryRow decode = row(Roofline.rows(canned()), "MatmulBench.matmul");
        assertEquals(9.437184, decode.gbs(), 1e-9);
        assertEquals(2.0 * 4096 * 4096 / 1e-3 / 1e9, decode.gflops(), 1e-9);
        assertEquals(10, decode.limit(), 1e-9); // one thread: the one-thread bandwidth
        assertEquals(0.9437184, decode.fraction(), 1e-12);
    }

    @Test
    void attention_decode_counts_the_kv_cache_bytes() {
        SummaryRow attention = row(Roofline.rows(canned()), "AttentionBench.decode");
        double kvBytes = 2.0 * 2048 * 8 * 128 * 2; // K and V, F16
        assertEquals(kvBytes / 0.5e-3 / 1e9, attention.gbs(), 1e-9);
        assertEquals(attention.gbs() / 16, attention.fraction(), 1e-12);
    }

    @Test
    void a_limit_never_drops_below_what_fewer_threads_reached() {
        List<BenchRecord> records = List.of(
                avgt("MachineLimitsBench.readBandwidth", Workloads.READ_BYTES / 12e9 * 1e3, "threads", "1"),
                avgt("MachineLimitsBench.readBandwidth", Workloads.READ_BYTES / 5e9 * 1e3, "threads", "2"));
        Limits limits = Limits.of(records);
        assertEquals(12, limits.limit(Work.Bound.READ, 2).orElseThrow(), 1e-9);
        assertEquals(12, limits.limit(Work.Bound.READ, 1).orElseThrow(), 1e-9);
        assertTrue(limits.limit(Work.Bound.FMA, 2).isEmpty());

        List<BenchRecord> twice = List.of(
                avgt("MachineLimitsBench.fmaPeak", Workloads.FMA_PEAK_FLOPS / 50e9 * 1e3, "threads", "1"),
                avgt("MachineLimitsBench.fmaPeak", Workloads.FMA_PEAK_FLOPS / 80e9 * 1e3, "threads", "1"));
        assertEquals(80, Limits.of(twice).limit(Work.Bound.FMA, 1).orElseThrow(), 1e-9, "the better of two measurements");
    }

    @Test
    void score_units_convert_to_seconds_per_op() {
        assertEquals(2e-6, new BenchRecord("a.B.c", Map.of(), "avgt", 2, 0, "us/op").secondsPerOp(), 1e-18);
        assertEquals(0.25, new BenchRecord("a.B.c", Map.of(), "thrpt", 4, 0, "ops/s").secondsPerOp(), 1e-15);
        assertEquals(0.5e-3, new BenchRecord("a.B.c", Map.of(), "thrpt", 2, 0, "ops/ms").secondsPerOp(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new BenchRecord("a.B.c", Map.of(), "avgt", 1, 0, "bogus").secondsPerOp());
    }

    @Test
    void markdown_has_one_row_per_result_with_rates_and_fractions() {
        ResultFile run = ResultFile.of(MACHINE, "quick", List.of("a note"), canned());
        List<SummaryRow> rows = Roofline.rows(run.records());
        String md = MarkdownReport.render(run, rows, List.of("gemm-f32.png"));
        assertTrue(md.contains("| CPU | Test CPU 9000 |"), md);
        assertTrue(md.contains("FMA peak 100 GFLOP/s (1 thread) 180 GFLOP/s (2 threads)"), md);
        assertTrue(md.contains("- a note"), md);
        assertTrue(md.contains("| GemmBench.gemm | backend=cpu size=1024 threads=2 | 23.9 ± 0.239 | ms/op | 90.0 | 0.527 | 50% of FMA peak | 0.75x |"), md);
        assertTrue(md.contains("| MatmulBench.matmul | backend=cpu dtype=Q4_0 shape=4096x4096 threads=1 tokens=1 | 1.00 ± 0.0100 | ms/op | 33.6 | 9.44 | 94% of read bandwidth | – |"), md);
        assertTrue(md.contains("![gemm-f32.png](gemm-f32.png)"), md);
        long tableRows = md.lines().filter(l -> l.startsWith("| ") && l.contains("ms/op")).count();
        assertEquals(canned().size(), tableRows);
    }

    @Test
    void report_directory_holds_json_markdown_and_decodable_charts(@TempDir Path dir) throws IOException {
        ResultFile run = ResultFile.of(MACHINE, "quick", List.of(), canned());
        ReportWriter.write(run, dir);

        ResultFile back = ResultFile.read(dir.resolve(ReportWriter.RESULTS));
        assertEquals(MACHINE, back.machine());
        assertEquals(run.records(), back.records());
        assertTrue(Files.readString(dir.resolve(ReportWriter.SUMMARY)).contains("GemmBench.gemm"));
        for (String chart : List.of("gemm-f32.png", "matmul-decode-4096x4096.png", "attention-decode.png")) {
            BufferedImage image = ImageIO.read(dir.resolve(chart).toFile());
            assertNotNull(image, chart + " must decode as an image");
            assertEquals(Charts.WIDTH, image.getWidth(), chart);
            assertEquals(Charts.HEIGHT, image.getHeight(), chart);
        }
    }

    @Test
    void end_to_end_results_give_tokens_per_second_and_weight_bandwidth(@TempDir Path dir) throws IOException {
        List<BenchRecord> records = new java.util.ArrayList<>(canned());
        String[] params = {"backend", "cpu", "layers", "1", "shape", "tinyllama-1.1b", "threads", "2", "type", "q8_0"};
        records.add(avgt("EndToEndBench.decode", 1000, params));
        records.add(avgt("EndToEndBench.prefill", 4000, params));
        ResultFile run = ResultFile.of(MACHINE, "quick", List.of(), records);
        List<SummaryRow> rows = Roofline.rows(run.records());

        SummaryRow decode = row(rows, "EndToEndBench.decode");
        var shape = dev.panamax.jmh.e2e.EndToEndBench.shape("tinyllama-1.1b", 1);
        long perToken = dev.panamax.jmh.synth.SynthModel.bytesPerToken(shape, dev.panamax.jmh.synth.SynthType.Q8_0);
        assertEquals(128.0 * perToken / 1e9, decode.gbs(), 1e-9, "128 tokens in 1 s, each reading all weights");
        assertEquals(decode.gbs() / 16, decode.fraction(), 1e-12);
        assertEquals(128.0, Charts.tokensPerSecond(decode), 1e-9);
        assertEquals(128.0, Charts.tokensPerSecond(row(rows, "EndToEndBench.prefill")), 1e-9, "512 tokens in 4 s");

        String md = MarkdownReport.render(run, rows, List.of());
        assertTrue(md.contains("| tg128 | backend=cpu layers=1 shape=tinyllama-1.1b threads=2 type=q8_0 | 128 |"), md);
        assertTrue(md.contains("| pp512 | backend=cpu layers=1 shape=tinyllama-1.1b threads=2 type=q8_0 | 128 |"), md);
        List<String> charts = Charts.write(rows.stream().filter(r -> r.record().kernel().startsWith("EndToEnd")).toList(), dir);
        assertEquals(List.of("e2e-tinyllama-1.1b-1l.png"), charts);
        assertEquals(Charts.WIDTH, ImageIO.read(dir.resolve("e2e-tinyllama-1.1b-1l.png").toFile()).getWidth());
    }

    @Test
    void end_to_end_rows_show_llama_cpp_measured_in_the_same_run_and_the_ratio(@TempDir Path dir) throws IOException {
        String[] params = {"backend", "cpu", "layers", "8", "shape", "tinyllama-1.1b", "threads", "2", "type", "q4_0"};
        List<BenchRecord> records = List.of(avgt("EndToEndBench.decode", 2000, params), avgt("EndToEndBench.prefill", 4000, params));
        List<PeerResult> peers = List.of(
                new PeerResult("llama.cpp v0.5.0", "tinyllama-1.1b", 8, "q4_0", 2, 256, 32),
                new PeerResult("llama.cpp v0.5.0", "tinyllama-1.1b", 8, "q4_0", 1, 999, 999), // other thread count
                new PeerResult("llama.cpp v0.5.0", "tinyllama-1.1b", 8, "q8_0", 2, 999, 999)); // other model
        ResultFile run = new ResultFile(MACHINE, "quick", List.of(), ResultFile.of(MACHINE, "quick", List.of(), records).jmh(), peers);
        run.write(dir.resolve("results.json"));
        ResultFile back = ResultFile.read(dir.resolve("results.json"));
        assertEquals(peers, back.peers());

        String md = MarkdownReport.render(back, Roofline.rows(back.records()), List.of());
        assertTrue(md.contains("with llama.cpp v0.5.0 on the same files in this run"), md);
        // ours: 128 tokens in 2 s = 64 tokens/s against llama.cpp's 32; 512 tokens in 4 s = 128 against 256
        assertTrue(md.matches("(?s).*\\| tg128 \\| [^|]*type=q4_0 \\| 64\\.0 \\|[^\n]*\\| 32\\.0 \\| 2\\.00x \\|.*"), md);
        assertTrue(md.matches("(?s).*\\| pp512 \\| [^|]*type=q4_0 \\| 128 \\|[^\n]*\\| 256 \\| 0\\.50x \\|.*"), md);
    }

    @Test
    void a_llama_cpp_result_line_is_parsed_and_garbage_is_refused() throws IOException {
        String line = "{\"file\":\"/tmp/m.gguf\",\"threads\":2,\"repetitions\":3,\"llamaCpp\":{\"repo\":\"ggml-org/llama.cpp\","
                + "\"release\":\"v0.5.0\"},\"prefillTokensPerSecond\":539.3,\"decodeTokensPerSecond\":45.1}";
        PeerResult p = PeerResult.fromLlamaCppLine(line, "llama.cpp{release} (node)", "tinyllama-1.1b", 8, "q4_0");
        assertEquals(new PeerResult("llama.cpp v0.5.0 (node)", "tinyllama-1.1b", 8, "q4_0", 2, 539.3, 45.1), p);
        IOException e = assertThrows(IOException.class,
                () -> PeerResult.fromLlamaCppLine("{\"threads\":2}", "llama.cpp", "tinyllama-1.1b", 8, "q4_0"));
        assertTrue(e.getMessage().contains("not a llama.cpp result line"), e.getMessage());
    }

    @Test
    void reading_a_file_that_is_not_a_result_names_it(@TempDir Path dir) throws IOException {
        Path bogus = Files.writeString(dir.resolve("bogus.json"), "{\"hello\": 1}");
        IOException e = assertThrows(IOException.class, () -> ResultFile.read(bogus));
        assertTrue(e.getMessage().contains("bogus.json"), e.getMessage());
    }

    @Test
    void comparison_matches_results_and_computes_speed_ratios(@TempDir Path dir) throws IOException {
        MachineInfo big = new MachineInfo("Big CPU", 16, 512, "Test JDK 26", "Linux", "none", 0.1);
        List<BenchRecord> slow = List.of(
                avgt("GemmBench.gemm", 40, "backend", "cpu", "size", "1024", "threads", "2"),
                avgt("MatmulBench.matmul", 3, "backend", "cpu", "dtype", "Q8_0", "shape", "4096x4096", "tokens", "1", "threads", "1"),
                avgt("RopeBench.rope", 1, "backend", "cpu", "tokens", "1", "threads", "2"));
        List<BenchRecord> fast = List.of(
                avgt("GemmBench.gemm", 10, "backend", "cpu", "size", "1024", "threads", "16"),
                avgt("MatmulBench.matmul", 2, "backend", "cpu", "dtype", "Q8_0", "shape", "4096x4096", "tokens", "1", "threads", "1"));
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        ResultFile.of(MACHINE, "quick", List.of(), slow).write(a);
        ResultFile.of(big, "quick", List.of(), fast).write(b);

        Comparison c = ReportWriter.compare(a, b, dir.resolve("cmp"));
        assertEquals(2, c.pairs().size(), "rope exists only in A");
        assertEquals(4.0, c.pairs().get(0).ratio(), 1e-12, "all-thread GEMM: 40 ms vs 10 ms");
        assertEquals(1.5, c.pairs().get(1).ratio(), 1e-12);
        String md = Files.readString(dir.resolve("cmp/comparison.md"));
        assertTrue(md.contains("Big CPU, 16 cores"), md);
        assertTrue(md.contains("| GemmBench.gemm backend=cpu size=1024 all | 40.0 | 10.0 | ms/op |"), md);
        assertTrue(md.contains("| 4.00x |"), md);
        BufferedImage image = ImageIO.read(dir.resolve("cmp/comparison.png").toFile());
        assertEquals(Charts.WIDTH, image.getWidth(), "two bars fit the standard width");
        assertEquals(Charts.HEIGHT + 200, image.getHeight(), "room for the rotated labels");
        assertEquals("Gemm.gemm 1024 all", Comparison.shortLabel(c.pairs().get(0).a().record(), c.pairs().get(0).key()));
    }
}
