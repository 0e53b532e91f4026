/** The "cuda" backend: CUDA kernels (PTX) launched through the JCuda driver API. */
module dev.panamax.kernels.cuda {
    requires transitive dev.panamax.tensor;
    requires dev.panamax.formats;
    requires static jcuda;
}
