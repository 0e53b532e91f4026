/** The "cuda" backend: CUDA kernels (PTX) launched through the JCuda driver API. */
module dev.panamax.kernels.cuda {
    requires transitive dev.panamax.tensor;
    requires dev.panamax.formats;
    requires static jcuda;

    exports dev.panamax.kernels.cuda;

    provides dev.panamax.tensor.OpsProvider with dev.panamax.kernels.cuda.CudaOpsProvider;
}
