/**
 * Off-heap tensors for Panamax: {@link dev.panamax.tensor.DType}, {@link dev.panamax.tensor.Tensor}
 * and the {@link dev.panamax.tensor.Ops} interface that compute backends implement.
 */
module dev.panamax.tensor {
    exports dev.panamax.tensor;

    uses dev.panamax.tensor.OpsProvider;
}
