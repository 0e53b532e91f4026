/** CPU backends: "reference" (scalar Java) and "cpu" (Vector API, multi-threaded). */
module dev.panamax.kernels.cpu {
    requires transitive dev.panamax.tensor;
    requires dev.panamax.formats;
    requires static jdk.incubator.vector;

    exports dev.panamax.kernels.cpu;

    provides dev.panamax.tensor.OpsProvider with
            dev.panamax.kernels.cpu.ReferenceOpsProvider,
            dev.panamax.kernels.cpu.CpuOpsProvider;
}
