package dev.panamax.transformer.family;

/**
 * One weight under both its names: llama.cpp's and transformers'. A per-layer name is the part after
 * the layer prefix ({@code blk.N.} / {@code model.layers.N.}) and before {@code .weight}/{@code .bias};
 * a global name is the whole name before the suffix. In a per-expert Hugging Face name, {@code {e}}
 * stands for the expert number (GGUF stacks the experts of one projection into a 3-D tensor). A per-layer
 * Hugging Face name that holds {@code {layer}} is a whole name of its own layout (BERT's
 * {@code encoder.layer.{layer}.attention.self.query}), with the layer number put in its place.
 *
 * @param gguf   e.g. {@code attn_q}, {@code token_embd}, {@code ffn_gate_exps}
 * @param hf     e.g. {@code self_attn.q_proj}, {@code model.embed_tokens}, {@code mlp.experts.{e}.gate_proj}
 * @param global true for the tensors outside the blocks
 */
public record TensorName(String gguf, String hf, boolean global) {

    /** A tensor of every block. */
    public static TensorName layer(String gguf, String hf) {
        return new TensorName(gguf, hf, false);
    }

    /** A tensor outside the blocks (embedding, final norm, output). */
    public static TensorName global(String gguf, String hf) {
        return new TensorName(gguf, hf, true);
    }

    /** The full name in {@code format} in {@code layer} (ignored for global tensors), with {@code suffix} (".weight", ".bias"). */
    public String in(TensorFormat format, int layer, String suffix) {
        String base = format == TensorFormat.GGUF ? gguf : hf;
        if (global) {
            return base + suffix;
        }
        if (format == TensorFormat.HUGGING_FACE && base.contains("{layer}")) {
            return base.replace("{layer}", Integer.toString(layer)) + suffix;
        }
        return (format == TensorFormat.GGUF ? "blk." : "model.layers.") + layer + "." + base + suffix;
    }

    /** The Hugging Face name of one expert's tensor: {@code {e}} replaced by {@code expert}. */
    public String hfExpert(int layer, int expert, String suffix) {
        return "model.layers." + layer + "." + hf.replace("{e}", Integer.toString(expert)) + suffix;
    }
}
