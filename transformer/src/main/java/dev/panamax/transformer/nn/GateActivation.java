package dev.panamax.transformer.nn;

import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/** The nonlinearity of a gated feed-forward: {@code out = act(gate, up)}, usually {@code act(gate) ⊙ up}. */
@FunctionalInterface
public interface GateActivation {
    /** SwiGLU (Llama, Qwen, Mistral): {@code silu(z) = z / (1 + e^(-z))}. */
    GateActivation SILU = (ops, gate, up, out) -> ops.swiglu(gate, up, out);

    /** GeGLU with the tanh approximation of GELU (Gemma). */
    GateActivation GELU_TANH = (ops, gate, up, out) -> ops.geglu(gate, up, Gelu.TANH, out);

    /**
     * gpt-oss's clamped SwiGLU (transformers' {@code GptOssExperts}, llama.cpp's {@code swiglu_oai}):
     * {@code (clamp(u, -limit, limit) + 1) · min(g, limit) · sigmoid(alpha · min(g, limit))}.
     *
     * @param alpha the sigmoid's slope (gpt-oss: 1.702)
     * @param limit the clamp of gate and up (gpt-oss: 7.0)
     * @return that activation
     */
    static GateActivation clampedSwiGlu(float alpha, float limit) {
        return (ops, gate, up, out) -> ops.clampedSwiglu(gate, up, alpha, limit, out);
    }

    /**
     * {@code out = act(gate, up)}; may overwrite {@code gate}.
     *
     * @param ops  the backend
     * @param gate {@code x·W_gateᵀ} {@code [n, F]}
     * @param up   {@code x·W_upᵀ} {@code [n, F]}
     * @param out  the result {@code [n, F]} (may be {@code gate})
     */
    void apply(Ops ops, Tensor gate, Tensor up, Tensor out);
}
