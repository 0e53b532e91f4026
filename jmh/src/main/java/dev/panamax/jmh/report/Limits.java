package dev.panamax.jmh.report;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The machine limits found among a run's results, by thread count: peak FMA rate in GFLOP/s and
 * read bandwidth in GB/s, from {@code MachineLimitsBench}. When a limit was measured more than once
 * (the suite measures them before and after the kernels), the best measurement counts.
 */
public final class Limits {
    /** Creates an instance. */
    public Limits() {
    }

    private final TreeMap<Integer, Double> fma = new TreeMap<>();
    private final TreeMap<Integer, Double> read = new TreeMap<>();

    /**
     * Collects the limits from {@code records}; kernels' records are ignored.
     *
     * @param records a run's records
     * @return the FMA and read-bandwidth limits per thread count
     */
    public static Limits of(List<BenchRecord> records) {
        Limits l = new Limits();
        for (BenchRecord r : records) {
            Work.Bound bound = switch (r.kernel()) {
                case "MachineLimitsBench.fmaPeak" -> Work.Bound.FMA;
                case "MachineLimitsBench.readBandwidth" -> Work.Bound.READ;
                default -> null;
            };
            if (bound != null && Double.isFinite(r.score())) {
                double rate = Workloads.of(r).orElseThrow().rate(r.secondsPerOp());
                (bound == Work.Bound.FMA ? l.fma : l.read).merge(r.intParam("threads", 1), rate, Math::max);
            }
        }
        return l;
    }

    /**
     * The limit of {@code bound} for a kernel running on {@code threads} threads: the best rate
     * measured with at most that many threads (more threads can always do what fewer did), else the
     * one measured with the fewest.
     *
     * @param bound   what bounds the kernel: FMA throughput or memory reads
     * @param threads the kernel's threads
     * @return the limit in GFLOP/s or GB/s, empty if the run measured none
     */
    public OptionalDouble limit(Work.Bound bound, int threads) {
        TreeMap<Integer, Double> m = bound == Work.Bound.FMA ? fma : read;
        if (m.isEmpty()) {
            return OptionalDouble.empty();
        }
        Map<Integer, Double> upTo = m.headMap(threads, true);
        return upTo.isEmpty() ? OptionalDouble.of(m.firstEntry().getValue())
                : OptionalDouble.of(upTo.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    /**
     * Thread count -> GFLOP/s or GB/s, for the report's header.
     *
     * @param bound FMA throughput or memory reads
     * @return thread count to limit, in thread order
     */
    public Map<Integer, Double> all(Work.Bound bound) {
        return java.util.Collections.unmodifiableMap(bound == Work.Bound.FMA ? fma : read);
    }

    /** {@return true if the run measured no limit} */
    public boolean isEmpty() {
        return fma.isEmpty() && read.isEmpty();
    }
}
