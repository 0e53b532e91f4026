package dev.panamax.jmh.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JMH result: a benchmark with its parameters and its primary score.
 *
 * @param benchmark fully qualified name, e.g. {@code dev.panamax.jmh.kernels.MatmulBench.matmul}
 * @param params    the JMH parameters (sorted by name)
 * @param mode      JMH mode: "avgt", "thrpt", "ss" or "sample"
 * @param score     the primary score
 * @param error     its 99.9% confidence half-width (NaN with too few samples)
 * @param unit      the score's unit, e.g. "ms/op" or "ops/s"
 */
public record BenchRecord(String benchmark, Map<String, String> params, String mode, double score, double error, String unit) {

    /** Copies the parameters into a sorted, unmodifiable map. */
    public BenchRecord {
        params = java.util.Collections.unmodifiableMap(new TreeMap<>(params));
    }

    /** {@return "MatmulBench.matmul": the class's simple name and the method} */
    public String kernel() {
        int method = benchmark.lastIndexOf('.');
        int cls = benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(cls + 1);
    }

    /**
     * {@return a parameter's value, or null}
     *
     * @param name the {@code @Param} field's name, e.g. {@code threads}
     */
    public String param(String name) {
        return params.get(name);
    }

    /**
     * {@return an integer parameter, or {@code fallback} when absent}
     *
     * @param name     the {@code @Param} field's name
     * @param fallback the value when the record has no such parameter
     */
    public int intParam(String name, int fallback) {
        String v = params.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    /** {@return "backend=cpu dtype=Q4_0 shape=4096x4096 threads=2"} */
    public String paramText() {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    /** {@return mean seconds per operation, from a time-per-op or an ops-per-time score} */
    public double secondsPerOp() {
        String[] parts = unit.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("unknown JMH score unit '" + unit + "' of " + benchmark);
        }
        if (parts[1].equals("op")) {
            return score * seconds(parts[0]);
        }
        if (parts[0].equals("ops")) {
            return seconds(parts[1]) / score;
        }
        throw new IllegalArgumentException("unknown JMH score unit '" + unit + "' of " + benchmark);
    }

    private double seconds(String timeUnit) {
        return switch (timeUnit) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("unknown JMH time unit '" + timeUnit + "' of " + benchmark);
        };
    }

    /** Reads one entry of JMH's JSON result array. */
    static BenchRecord fromJmh(Map<?, ?> entry) {
        Map<String, String> params = new LinkedHashMap<>();
        if (entry.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<?, ?> metric = (Map<?, ?>) entry.get("primaryMetric");
        if (metric == null) {
            throw new IllegalArgumentException("JMH result of " + entry.get("benchmark") + " has no primaryMetric");
        }
        return new BenchRecord(String.valueOf(entry.get("benchmark")), params, String.valueOf(entry.get("mode")),
                Json.number(metric.get("score")), Json.number(metric.get("scoreError")), String.valueOf(metric.get("scoreUnit")));
    }

    /** The same result as a JMH-shaped JSON entry (for synthetic result sets). */
    Map<String, Object> toJmh() {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("score", score);
        metric.put("scoreError", error);
        metric.put("scoreUnit", unit);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("benchmark", benchmark);
        e.put("mode", mode);
        e.put("params", new LinkedHashMap<>(params));
        e.put("primaryMetric", metric);
        return e;
    }
}
