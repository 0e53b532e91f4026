/** JMH benchmarks of every kernel family, the machine's limits, and the roofline report. */
module dev.panamax.jmh {
    requires transitive dev.panamax.transformer; // BackendState, RandomTensors, SynthModel expose tensor types
    requires dev.panamax.kernels.cpu;
    requires jmh.core;
    requires info.picocli;
    requires org.knowm.xchart;
    requires java.desktop;
    requires java.management; // MatvecCpuTimeBench: the thread CPU time
    requires jdk.management; // LoraDecodeBench: process CPU time and allocated bytes
    requires com.fasterxml.jackson.core;
    requires static jdk.incubator.vector;

    exports dev.panamax.jmh;
    exports dev.panamax.jmh.blas;
    exports dev.panamax.jmh.e2e;
    exports dev.panamax.jmh.kernels;
    exports dev.panamax.jmh.limits;
    exports dev.panamax.jmh.peer;
    exports dev.panamax.jmh.report;
    exports dev.panamax.jmh.synth;

    opens dev.panamax.jmh to info.picocli;
    opens dev.panamax.jmh.synth to info.picocli;
}
