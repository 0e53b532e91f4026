package dev.panamax.jmh.report;

import java.util.List;
import java.util.Map;

/** The Markdown summary of a run: machine, limits, notes, and one table row per result. */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    /**
     * The whole summary document; {@code charts} are file names to link (may be empty).
     *
     * @param run    the run: machine, profile and notes for the header
     * @param rows   the summary rows
     * @param charts chart file names to link
     * @return the Markdown text
     */
    public static String render(ResultFile run, List<SummaryRow> rows, List<String> charts) {
        StringBuilder md = new StringBuilder();
        MachineInfo m = run.machine();
        md.append("# Panamax benchmark summary (").append(run.profile()).append(" profile)\n\n");
        md.append("| machine | |\n|---|---|\n");
        md.append("| CPU | ").append(m.cpuModel()).append(" |\n");
        md.append("| cores | ").append(m.cores()).append(" |\n");
        md.append("| vector width | ").append(m.vectorBits()).append(" bits |\n");
        md.append("| JDK | ").append(m.jdk()).append(" |\n");
        md.append("| OS | ").append(m.os()).append(" |\n");
        md.append("| GPU | ").append(m.gpu()).append(" |\n");
        md.append("| load average at start | ").append(Fmt.num(m.load())).append(" |\n\n");

        Limits limits = Limits.of(rows.stream().map(SummaryRow::record).toList());
        md.append("Limits measured in this run: ");
        md.append(limitText("FMA peak", limits.all(Work.Bound.FMA), "GFLOP/s")).append("; ");
        md.append(limitText("read bandwidth", limits.all(Work.Bound.READ), "GB/s")).append(".\n\n");

        if (!run.notes().isEmpty()) {
            md.append("Notes:\n\n");
            run.notes().forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }

        md.append(table(rows));
        List<SummaryRow> e2e = rows.stream().filter(r -> Workloads.tokensPerOp(r.record()).isPresent()
                && Double.isFinite(r.record().score())).toList();
        if (!e2e.isEmpty()) {
            md.append("\nEnd to end (synthetic models, random weights)");
            md.append(run.peers().isEmpty() ? ":\n\n" : ", with " + run.peers().getFirst().peer() + " on the same files in this run:\n\n");
            md.append("| benchmark | params | tokens/s | weight GB/s | fraction of limit | llama.cpp tokens/s | vs llama.cpp |\n");
            md.append("|---|---|---:|---:|---:|---:|---:|\n");
            for (SummaryRow r : e2e) {
                double ours = Charts.tokensPerSecond(r);
                String kernel = r.record().kernel();
                double peer = run.peers().stream().filter(p -> p.matches(r.record())).findFirst()
                        .map(p -> p.tokensPerSecond(kernel)).orElse(Double.NaN);
                md.append("| ").append(kernel.endsWith("decode") ? "tg128" : "pp512").append(" | ")
                        .append(r.record().paramText()).append(" | ").append(Fmt.num(ours)).append(" | ")
                        .append(Fmt.num(r.gbs())).append(" | ")
                        .append(Double.isFinite(r.limit()) ? Fmt.percent(r.fraction()) + " of " + r.work().bound().limitName() : "–")
                        .append(" | ").append(Double.isFinite(peer) ? Fmt.num(peer) : "–")
                        .append(" | ").append(Fmt.ratio(ours / peer)).append(" |\n");
            }
        }
        if (!charts.isEmpty()) {
            md.append("\nCharts:\n\n");
            charts.forEach(c -> md.append("![").append(c).append("](").append(c).append(")\n"));
        }
        return md.toString();
    }

    /**
     * The results table alone.
     *
     * @param rows the summary rows
     * @return the Markdown table
     */
    public static String table(List<SummaryRow> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| kernel | params | score | units | GFLOP/s | GB/s | fraction of limit | vs OpenBLAS |\n");
        md.append("|---|---|---:|---|---:|---:|---:|---:|\n");
        for (SummaryRow r : rows) {
            BenchRecord b = r.record();
            String fraction = b.kernel().startsWith("MachineLimitsBench.") ? "(the limit)"
                    : r.work() == null || !Double.isFinite(r.limit()) ? "–"
                    : Fmt.percent(r.fraction()) + " of " + r.work().bound().limitName();
            md.append("| ").append(b.kernel()).append(" | ").append(b.paramText()).append(" | ")
                    .append(Fmt.scoreWithError(b.score(), b.error())).append(" | ").append(b.unit()).append(" | ")
                    .append(Fmt.num(r.gflops())).append(" | ").append(Fmt.num(r.gbs())).append(" | ")
                    .append(fraction).append(" | ").append(Fmt.ratio(r.vsOpenBlas())).append(" |\n");
        }
        return md.toString();
    }

    private static String limitText(String name, Map<Integer, Double> byThreads, String unit) {
        if (byThreads.isEmpty()) {
            return name + " not measured";
        }
        StringBuilder sb = new StringBuilder(name);
        byThreads.forEach((t, v) -> sb.append(' ').append(Fmt.num(v)).append(' ').append(unit).append(" (").append(t)
                .append(t == 1 ? " thread)" : " threads)"));
        return sb.toString();
    }
}
