package dev.panamax.jmh.report;

import java.util.Locale;

/** Number formatting shared by the tables: three significant digits, "–" for missing values. */
final class Fmt {
    private Fmt() {
    }

    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3g";
        return String.format(Locale.ROOT, pattern, v);
    }

    static String percent(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f%%", 100 * v) : "–";
    }

    static String ratio(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2fx", v) : "–";
    }

    static String scoreWithError(double score, double error) {
        return Double.isFinite(error) ? num(score) + " ± " + num(error) : num(score);
    }
}
