package dev.panamax.jmh.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a run's results into summary rows: each result's rate, the limit measured in the same run
 * for its bound and thread count, its fraction of that limit, and its speed relative to OpenBLAS.
 */
public final class Roofline {
    private Roofline() {
    }

    /**
     * One summary row per kernel or end-to-end record, with the limits of the same run.
     *
     * @param records a run's records, the limits' among them
     * @return the rows, in the records' order
     */
    public static List<SummaryRow> rows(List<BenchRecord> records) {
        Limits limits = Limits.of(records);
        List<SummaryRow> rows = new ArrayList<>();
        for (BenchRecord r : records) {
            Work w = Workloads.of(r).orElse(null);
            if (w == null || !Double.isFinite(r.score())) {
                rows.add(new SummaryRow(r, w, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
                continue;
            }
            double s = r.secondsPerOp();
            double gflops = w.flops() > 0 ? w.flops() / s / 1e9 : Double.NaN;
            double gbs = w.bytes() > 0 ? w.bytes() / s / 1e9 : Double.NaN;
            double limit = limits.limit(w.bound(), r.intParam("threads", 1)).orElse(Double.NaN);
            rows.add(new SummaryRow(r, w, w.rate(s), gflops, gbs, limit, vsOpenBlas(r, records)));
        }
        return rows;
    }

    /** OpenBLAS's time over this one's on the same problem and thread count, or NaN. */
    static double vsOpenBlas(BenchRecord r, List<BenchRecord> all) {
        String baseline;
        Map<String, String> same;
        switch (r.kernel()) {
            case "GemmBench.gemm" -> {
                baseline = "OpenBlasGemmBench.sgemm";
                same = Map.of("size", r.param("size"), "threads", r.param("threads"));
            }
            case "MatmulBench.matmul" -> {
                if (!"F32".equals(r.param("dtype")) || r.intParam("tokens", 1) != 1) {
                    return Double.NaN;
                }
                baseline = "OpenBlasGemvBench.sgemv";
                same = Map.of("shape", r.param("shape"), "threads", r.param("threads"));
            }
            default -> {
                return Double.NaN;
            }
        }
        for (BenchRecord b : all) {
            if (b.kernel().equals(baseline) && same.entrySet().stream().allMatch(e -> Objects.equals(b.param(e.getKey()), e.getValue()))
                    && Double.isFinite(b.score())) {
                return b.secondsPerOp() / r.secondsPerOp();
            }
        }
        return Double.NaN;
    }
}
