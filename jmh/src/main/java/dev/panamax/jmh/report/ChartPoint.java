package dev.panamax.jmh.report;

/**
 * Where a summary row goes in the charts.
 *
 * @param chart    file stem of its chart, e.g. "matmul-decode-4096x4096"
 * @param title    the chart's title
 * @param category the x-axis category, e.g. "Q4_0"
 * @param series   the bar series, e.g. "cpu 2t"
 */
record ChartPoint(String chart, String title, String category, String series) {

    /** The chart position of {@code row}, or null for rows that are not charted (limits, unknown kernels). */
    static ChartPoint of(SummaryRow row) {
        BenchRecord r = row.record();
        if (row.work() == null || !Double.isFinite(row.rate())) {
            return null;
        }
        String threads = r.param("threads") == null ? "" : " " + r.param("threads") + "t";
        String backend = r.param("backend") + threads;
        return switch (r.kernel()) {
            case "GemmBench.gemm" -> new ChartPoint("gemm-f32", "F32 GEMM (x · wᵀ, square)", r.param("size"), backend);
            case "OpenBlasGemmBench.sgemm" -> new ChartPoint("gemm-f32", "F32 GEMM (x · wᵀ, square)", r.param("size"),
                    "OpenBLAS" + threads);
            case "MatmulBench.matmul" -> {
                int tokens = r.intParam("tokens", 1);
                yield tokens == 1
                        ? new ChartPoint("matmul-decode-" + r.param("shape"), "Decode matmul (M=1), weight " + r.param("shape"),
                                r.param("dtype"), backend)
                        : new ChartPoint("matmul-prefill-m" + tokens + "-" + r.param("shape"),
                                "Prefill matmul (M=" + tokens + "), weight " + r.param("shape"), r.param("dtype"), backend);
            }
            case "OpenBlasGemvBench.sgemv" -> new ChartPoint("matmul-decode-" + r.param("shape"),
                    "Decode matmul (M=1), weight " + r.param("shape"), "F32", "OpenBLAS" + threads);
            case "AttentionBench.decode" -> new ChartPoint("attention-decode", "Attention decode (32 q heads, 8 kv heads, d=128)",
                    r.param("positions"), backend + " " + r.param("cacheType"));
            case "AttentionBench.prefill" -> new ChartPoint("attention-prefill",
                    "Attention prefill (512-token batch ending at the position)", r.param("positions"),
                    backend + " " + r.param("cacheType"));
            case "RmsNormBench.rmsNorm" -> new ChartPoint("elementwise", "RMSNorm, softmax, RoPE",
                    "rmsNorm " + r.param("rows") + "x" + r.param("dim"), backend);
            case "SoftmaxBench.softmax" -> new ChartPoint("elementwise", "RMSNorm, softmax, RoPE", "softmax " + r.param("shape"),
                    backend);
            case "RopeBench.rope" -> new ChartPoint("elementwise", "RMSNorm, softmax, RoPE", "rope " + r.param("tokens") + "x32x128",
                    backend);
            case "EndToEndBench.decode", "EndToEndBench.prefill" -> new ChartPoint("e2e-" + r.param("shape") + "-"
                    + r.param("layers") + "l", "End to end tokens/s, synthetic "
                    + r.param("shape") + " (" + r.param("layers") + " layers; 0 = all)", r.param("type"),
                    (r.kernel().endsWith("decode") ? "tg128 " : "pp512 ") + backend);
            default -> null;
        };
    }
}
