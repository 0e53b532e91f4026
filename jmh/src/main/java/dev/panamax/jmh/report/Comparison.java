package dev.panamax.jmh.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.style.Styler;

/**
 * Two runs side by side (two machines, or two JDKs): results matched by kernel and parameters,
 * with the speed ratio B over A. Thread counts are matched as "one thread" or "all threads", so a
 * 2-core and a 16-core machine compare their all-core figures.
 */
public final class Comparison {

    /**
     * One matched pair.
     *
     * @param key   kernel and parameters, threads written as "1t" or "all"
     * @param a     the row of run A
     * @param b     the row of run B
     * @param ratio A's time over B's time: how many times faster B is
     */
    public record Pair(String key, SummaryRow a, SummaryRow b, double ratio) {
    }

    private final ResultFile runA;
    private final ResultFile runB;
    private final List<Pair> pairs;

    /**
     * Matches the results of two runs by benchmark and parameters.
     *
     * @param a the first run (A)
     * @param b the second run (B)
     */
    public Comparison(ResultFile a, ResultFile b) {
        this.runA = a;
        this.runB = b;
        Map<String, SummaryRow> rowsA = byKey(Roofline.rows(a.records()));
        Map<String, SummaryRow> rowsB = byKey(Roofline.rows(b.records()));
        List<Pair> list = new ArrayList<>();
        rowsA.forEach((key, ra) -> {
            SummaryRow rb = rowsB.get(key);
            if (rb != null && Double.isFinite(ra.record().score()) && Double.isFinite(rb.record().score())) {
                list.add(new Pair(key, ra, rb, ra.record().secondsPerOp() / rb.record().secondsPerOp()));
            }
        });
        this.pairs = List.copyOf(list);
    }

    /** {@return the results both runs hold, with B's speed over A's} */
    public List<Pair> pairs() {
        return pairs;
    }

    static String key(BenchRecord r) {
        Map<String, String> p = new TreeMap<>(r.params());
        String threads = p.remove("threads");
        StringBuilder sb = new StringBuilder(r.kernel());
        p.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        sb.append(' ').append(threads == null ? "" : threads.equals("1") ? "1t" : "all");
        return sb.toString().trim();
    }

    private static Map<String, SummaryRow> byKey(List<SummaryRow> rows) {
        Map<String, SummaryRow> m = new LinkedHashMap<>();
        rows.forEach(r -> m.putIfAbsent(key(r.record()), r));
        return m;
    }

    /** {@return markdown: both machines, then one row per matched result} */
    public String markdown() {
        StringBuilder md = new StringBuilder("# Panamax benchmark comparison\n\n");
        md.append("- A: ").append(describe(runA)).append('\n');
        md.append("- B: ").append(describe(runB)).append("\n\n");
        md.append("| kernel and params | A score | B score | units | A rate | B rate | metric | B/A speed |\n");
        md.append("|---|---:|---:|---|---:|---:|---|---:|\n");
        for (Pair p : pairs) {
            md.append("| ").append(p.key()).append(" | ").append(Fmt.num(p.a().record().score())).append(" | ")
                    .append(Fmt.num(p.b().record().score())).append(" | ").append(p.a().record().unit()).append(" | ")
                    .append(Fmt.num(p.a().rate())).append(" | ").append(Fmt.num(p.b().rate())).append(" | ")
                    .append(p.a().metric()).append(" | ").append(Fmt.ratio(p.ratio())).append(" |\n");
        }
        if (pairs.isEmpty()) {
            md.append("\nNo benchmark appears in both runs.\n");
        }
        return md.toString();
    }

    private static String describe(ResultFile r) {
        MachineInfo m = r.machine();
        return m.cpuModel() + ", " + m.cores() + " cores, " + m.vectorBits() + "-bit vectors, " + m.jdk() + ", " + m.os()
                + ", GPU " + m.gpu() + " (" + r.profile() + " profile)";
    }

    /**
     * A bar chart of B's speed over A's per matched result (log scale), with equal speed (1.0) drawn as a line.
     *
     * @param file the PNG file to write
     * @throws IOException if it cannot be written
     */
    public void writeChart(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int width = Math.max(Charts.WIDTH, 40 * pairs.size() + 200);
        CategoryChart chart = new CategoryChartBuilder().width(width).height(Charts.HEIGHT + 200)
                .title("Speed of B relative to A (above 1: B is faster)").yAxisTitle("B/A speed").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisLabelRotation(75);
        List<String> labels = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (Pair p : pairs) {
            labels.add(shortLabel(p.a().record(), p.key()));
            ratios.add(p.ratio());
        }
        if (labels.isEmpty()) {
            labels.add("(no common results)");
            ratios.add(1.0);
        }
        chart.addSeries("B/A speed", labels, ratios);
        double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(Math.min(0.5, min / 1.5));
        chart.getStyler().setYAxisMax(Math.max(2.0, max * 1.5));
        chart.addAnnotation(new AnnotationLine(1.0, false, false)); // equal speed
        Charts.save(chart, file);
    }

    /** "Matmul.matmul Q4_K 4096x4096 1 all": the kernel and its parameter values, without names. */
    static String shortLabel(BenchRecord r, String key) {
        StringBuilder sb = new StringBuilder(r.kernel().replace("Bench.", "."));
        r.params().forEach((k, v) -> {
            if (!k.equals("backend") && !k.equals("threads")) {
                sb.append(' ').append(v);
            }
        });
        return sb.append(key.endsWith(" 1t") ? " 1t" : key.endsWith(" all") ? " all" : "").toString();
    }
}
