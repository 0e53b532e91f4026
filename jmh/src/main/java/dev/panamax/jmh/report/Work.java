package dev.panamax.jmh.report;

/**
 * What one operation of a benchmark does, and the machine limit it should be judged against.
 *
 * @param flops floating-point operations per op (an FMA counts 2); 0 when not meaningful
 * @param bytes bytes that must be read (or read and written) per op; 0 when not meaningful
 * @param bound the limit that bounds it: its rate over the limit is its roofline fraction
 */
public record Work(double flops, double bytes, Bound bound) {

    /** The machine limit a kernel is compared with. */
    public enum Bound {
        /** Peak FP32 FMA rate: compute-bound kernels, judged by GFLOP/s. */
        FMA("GFLOP/s", "FMA peak"),
        /** Sequential read bandwidth: memory-bound kernels, judged by GB/s. */
        READ("GB/s", "read bandwidth");

        private final String metric;
        private final String limitName;

        Bound(String metric, String limitName) {
            this.metric = metric;
            this.limitName = limitName;
        }

        /** {@return "GFLOP/s" or "GB/s"} */
        public String metric() {
            return metric;
        }

        /** {@return "FMA peak" or "read bandwidth"} */
        public String limitName() {
            return limitName;
        }
    }

    /**
     * GFLOP/s or GB/s at {@code secondsPerOp}, whichever {@link #bound} judges.
     *
     * @param secondsPerOp the measured time of one operation
     * @return the rate
     */
    public double rate(double secondsPerOp) {
        return (bound == Bound.FMA ? flops : bytes) / secondsPerOp / 1e9;
    }
}
