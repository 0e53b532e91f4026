package dev.panamax.jmh.report;

/**
 * One line of the summary: a result with its rate, the limit it is judged against and the fraction
 * of that limit it reaches.
 *
 * @param record     the JMH result
 * @param work       its work model, or null for an unknown benchmark
 * @param rate       GFLOP/s or GB/s (per {@code work.bound()}), NaN without a work model
 * @param gflops     GFLOP/s (NaN when the kernel has no meaningful flop count)
 * @param gbs        GB/s of the bytes it must move (NaN when not meaningful)
 * @param limit      the matching machine limit in the same unit as {@code rate}, NaN if not measured
 * @param vsOpenBlas OpenBLAS time / this time on the same problem (above 1 = faster than OpenBLAS), NaN if none
 */
public record SummaryRow(BenchRecord record, Work work, double rate, double gflops, double gbs, double limit, double vsOpenBlas) {

    /**
     * {@code rate / limit}: the roofline fraction. NaN without a limit.
     *
     * @return the fraction of the machine's limit this result reaches
     */
    public double fraction() {
        return rate / limit;
    }

    /** {@return "GFLOP/s", "GB/s" or "" without a work model} */
    public String metric() {
        return work == null ? "" : work.bound().metric();
    }
}
