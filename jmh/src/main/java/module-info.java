/** JMH benchmarks of every kernel family and the hardware-comparison report. */
module dev.panamax.jmh {
    requires dev.panamax.transformer;
    requires jmh.core;
    requires static jdk.incubator.vector;
}
