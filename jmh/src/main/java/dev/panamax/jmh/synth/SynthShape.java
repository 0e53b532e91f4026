package dev.panamax.jmh.synth;

import java.util.List;

/**
 * The dimensions of a Llama-family model, enough to write a synthetic GGUF with its real shapes.
 *
 * @param name           the shape's name, e.g. "llama-3-8b"
 * @param vocab          vocabulary size
 * @param dim            embedding length
 * @param ffn            feed-forward length
 * @param heads          query heads
 * @param kvHeads        key/value heads
 * @param layers         blocks of the real model
 * @param context        context length
 * @param ropeTheta      RoPE base frequency
 * @param tiedEmbeddings whether the output projection reuses token_embd (no output.weight)
 */
public record SynthShape(String name, int vocab, int dim, int ffn, int heads, int kvHeads, int layers, int context,
                         float ropeTheta, boolean tiedEmbeddings) {

    public static final SynthShape TINYLLAMA_1_1B = new SynthShape("tinyllama-1.1b", 32000, 2048, 5632, 32, 4, 22, 2048, 10_000f, false);
    public static final SynthShape LLAMA_3_2_1B = new SynthShape("llama-3.2-1b", 128256, 2048, 8192, 32, 8, 16, 131072, 500_000f, true);
    public static final SynthShape LLAMA_3_8B = new SynthShape("llama-3-8b", 128256, 4096, 14336, 32, 8, 32, 8192, 500_000f, false);
    public static final SynthShape MISTRAL_7B = new SynthShape("mistral-7b", 32000, 4096, 14336, 32, 8, 32, 32768, 10_000f, false);

    /** The named shapes the synth command offers. */
    public static final List<SynthShape> NAMED = List.of(TINYLLAMA_1_1B, LLAMA_3_2_1B, LLAMA_3_8B, MISTRAL_7B);

    public SynthShape {
        if (dim % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": heads " + heads + " must divide dim " + dim + " and be a multiple of kv heads " + kvHeads);
        }
    }

    /** The shape called {@code name}. */
    public static SynthShape named(String name) {
        return NAMED.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown model shape '" + name + "'; known: " + NAMED.stream().map(SynthShape::name).toList()));
    }

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /** The same shape with {@code n} blocks (a cut-down model for quick runs). */
    public SynthShape withLayers(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a model needs at least one layer, got " + n);
        }
        return new SynthShape(name, vocab, dim, ffn, heads, kvHeads, n, context, ropeTheta, tiedEmbeddings);
    }
}
