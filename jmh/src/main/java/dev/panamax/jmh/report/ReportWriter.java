package dev.panamax.jmh.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a run's report files into a directory: results.json, summary.md and the PNG charts. */
public final class ReportWriter {
    /** The file name of the run's results ({@link ResultFile}). */
    public static final String RESULTS = "results.json";
    /** The file name of the Markdown summary. */
    public static final String SUMMARY = "summary.md";

    private ReportWriter() {
    }

    /**
     * Writes everything and returns the summary rows.
     *
     * @param run the run
     * @param dir the directory the files go into
     * @return the summary rows
     * @throws IOException if a file cannot be written
     */
    public static List<SummaryRow> write(ResultFile run, Path dir) throws IOException {
        Files.createDirectories(dir);
        run.write(dir.resolve(RESULTS));
        List<SummaryRow> rows = Roofline.rows(run.records());
        List<String> charts = Charts.write(rows, dir);
        Files.writeString(dir.resolve(SUMMARY), MarkdownReport.render(run, rows, charts), StandardCharsets.UTF_8);
        return rows;
    }

    /**
     * Writes comparison.md and comparison.png for two result files into {@code dir}.
     *
     * @param a   the first run's results.json (A)
     * @param b   the second run's results.json (B)
     * @param dir the directory the files go into
     * @return the comparison
     * @throws IOException if a file cannot be read or written
     */
    public static Comparison compare(Path a, Path b, Path dir) throws IOException {
        Comparison c = new Comparison(ResultFile.read(a), ResultFile.read(b));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("comparison.md"), c.markdown(), StandardCharsets.UTF_8);
        c.writeChart(dir.resolve("comparison.png"));
        return c;
    }
}
