package dev.panamax.transformer.nn;

import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/** The nonlinearity of a gated feed-forward: {@code out = act(gate) ⊙ up}. */
public enum GateActivation {
    /** SwiGLU (Llama, Qwen, Mistral): {@code silu(z) = z / (1 + e^(-z))}. */
    SILU {
        @Override
        void apply(Ops ops, Tensor gate, Tensor up, Tensor out) {
            ops.swiglu(gate, up, out);
        }
    },
    /** GeGLU with the tanh approximation of GELU (Gemma). */
    GELU_TANH {
        @Override
        void apply(Ops ops, Tensor gate, Tensor up, Tensor out) {
            ops.geglu(gate, up, Gelu.TANH, out);
        }
    };

    /** {@code out = act(gate) ⊙ up}; may overwrite {@code gate}. */
    abstract void apply(Ops ops, Tensor gate, Tensor up, Tensor out);
}
