package dev.panamax.jmh.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * PNG bar charts of a run with XChart: GFLOP/s or GB/s per kernel and size, one series per
 * backend, with the matching machine limit (measured in the same run) drawn as a horizontal line.
 */
public final class Charts {
    /** Size of every chart in pixels. */
    public static final int WIDTH = 900;
    /** Height of every chart in pixels. */
    public static final int HEIGHT = 520;

    private Charts() {
    }

    /**
     * Writes one PNG per chart into {@code dir} and returns the file names, in order.
     *
     * @param rows the summary rows to draw
     * @param dir  the directory the PNG files go into
     * @return the file names, relative to {@code dir}
     * @throws IOException if a file cannot be written
     */
    public static List<String> write(List<SummaryRow> rows, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, List<Map.Entry<ChartPoint, SummaryRow>>> byChart = new LinkedHashMap<>();
        for (SummaryRow row : rows) {
            ChartPoint p = ChartPoint.of(row);
            if (p != null) {
                byChart.computeIfAbsent(p.chart(), k -> new ArrayList<>()).add(Map.entry(p, row));
            }
        }
        List<String> files = new ArrayList<>();
        Files.createDirectories(dir);
        for (var e : byChart.entrySet()) {
            String file = e.getKey() + ".png";
            save(chart(e.getValue()), dir.resolve(file));
            files.add(file);
        }
        return files;
    }

    private static CategoryChart chart(List<Map.Entry<ChartPoint, SummaryRow>> points) {
        SummaryRow first = points.getFirst().getValue();
        Work.Bound bound = first.work().bound();
        boolean tokens = Workloads.tokensPerOp(first.record()).isPresent();
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(points.getFirst().getKey().title())
                .xAxisTitle("").yAxisTitle(tokens ? "tokens/s" : bound.metric()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setOverlapped(false);

        List<String> categories = new ArrayList<>(new LinkedHashSet<>(points.stream().map(p -> p.getKey().category()).toList()));
        List<String> series = new ArrayList<>(new LinkedHashSet<>(points.stream().map(p -> p.getKey().series()).toList()));
        for (String s : series) {
            List<Double> values = new ArrayList<>();
            for (String c : categories) {
                values.add(points.stream().filter(p -> p.getKey().series().equals(s) && p.getKey().category().equals(c))
                        .map(p -> tokens ? tokensPerSecond(p.getValue()) : p.getValue().rate()).findFirst().orElse(0.0));
            }
            chart.addSeries(s, categories, values);
        }
        if (tokens) {
            return chart; // tokens/s has no machine limit to draw
        }
        // the limit as a horizontal line: the largest limit among the chart's points (all threads when mixed)
        double limit = points.stream().mapToDouble(p -> p.getValue().limit()).filter(Double::isFinite).max().orElse(0);
        double top = points.stream().mapToDouble(p -> p.getValue().rate()).max().orElse(0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.1 * Math.max(limit, top));
        if (limit > 0) {
            AnnotationLine line = new AnnotationLine(limit, false, false);
            chart.addAnnotation(line);
            chart.setTitle(chart.getTitle() + " · line: " + bound.limitName() + " " + Fmt.num(limit) + " " + bound.metric()
                    + " (measured)");
        }
        return chart;
    }

    /** Tokens per second of an end-to-end row. */
    static double tokensPerSecond(SummaryRow row) {
        return Workloads.tokensPerOp(row.record()).orElseThrow() / row.record().secondsPerOp();
    }

    static void save(CategoryChart chart, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
