package dev.panamax.transformer.lora;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.family.TensorFormat;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.Scratch;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An {@link AdapterSet} fitted to one model as its decoder is built: for each projection, the
 * adapters' factors checked against the base weight's shape, put into the base's Q/K row order,
 * {@code b} multiplied by the adapter's factor once, and uploaded to the backend (small copies
 * owned by the model; the base weights are untouched). {@link #checkAllUsed()} then refuses
 * adapter tensors that no projection of the model took.
 */
public final class AdapterWeights {
    /** For models without adapters: every projection left as it is. */
    public static final AdapterWeights NONE = new AdapterWeights(AdapterSet.NONE, null, null, null, null, null);

    private final AdapterSet set;
    private final Ops ops;
    private final Arena arena;
    private final Scratch scratch;
    private final ModelConfig config;
    private final TensorFormat format;
    private final Set<String> used = new LinkedHashSet<>();

    /**
     * The adapters of {@code set} for one model being built.
     *
     * @param set     the adapters and their scales
     * @param ops     the backend the factors are uploaded to
     * @param arena   owns the uploaded factors
     * @param scratch the shared scratch memory the low-rank products use
     * @param config  the model's shape, to check the factors against
     * @param format  the naming and row order of the model's weights
     * @throws UnsupportedModelException if a GGUF adapter is given for a Hugging Face base (their row orders differ)
     */
    public AdapterWeights(AdapterSet set, Ops ops, Arena arena, Scratch scratch, ModelConfig config, TensorFormat format) {
        this.set = set;
        this.ops = ops;
        this.arena = arena;
        this.scratch = scratch;
        this.config = config;
        this.format = format;
        for (AdapterSet.Use u : set.uses()) {
            if (u.adapter().rowOrder() == LoraAdapter.RowOrder.GGUF && format == TensorFormat.HUGGING_FACE) {
                throw new UnsupportedModelException(u.adapter().source() + ": a GGUF adapter applies to a GGUF base;"
                        + " use the PEFT adapter with a Hugging Face checkpoint");
            }
        }
    }

    /**
     * {@code base} with every adapter of the set that changes {@code ggufName} (llama.cpp's name of its weight) attached.
     *
     * @param base     the projection as loaded
     * @param ggufName the weight's llama.cpp name, e.g. {@code blk.0.attn_q.weight}
     * @return {@code base} itself if no adapter changes it, else {@code base} plus the adapters' products
     * @throws FormatException naming the adapter tensor and both shapes if they do not fit
     */
    public Linear apply(Linear base, String ggufName) {
        Linear out = base;
        for (AdapterSet.Use u : set.uses()) {
            LoraFactors f = u.adapter().factors().get(ggufName);
            if (f == null) {
                continue;
            }
            checkShape(u.adapter(), ggufName, f, base.weight().shape());
            float[] b = inBaseRowOrder(u.adapter(), ggufName, f, config, format == TensorFormat.GGUF);
            float s = u.factor(f.rank());
            for (int i = 0; i < b.length; i++) {
                b[i] *= s;
            }
            Tensor a = ops.upload(arena, f.a().to(arena, DType.F32));
            Tensor scaledB = ops.upload(arena, Tensor.of(arena, b, f.b().shape()));
            out = out.withAdapter(a, scaledB, scratch);
            used.add(u.adapter().source() + "\u0000" + ggufName);
        }
        return out;
    }

    /** Throws a {@link FormatException} naming the tensor and both shapes unless {@code a [r, in]}, {@code b [out, r]} fit {@code w [out, in]}. */
    static void checkShape(LoraAdapter adapter, String name, LoraFactors f, long[] w) {
        if (f.a().size(1) != w[1] || f.b().size(0) != w[0]) {
            throw new FormatException(adapter.source(), name, "lora_a " + Arrays.toString(f.a().shape()) + ", lora_b "
                    + Arrays.toString(f.b().shape()), "does not fit the base tensor " + Arrays.toString(w)
                    + " (lora_a must be [r, " + w[1] + "], lora_b [" + w[0] + ", r]); is it the adapter of another model?");
        }
    }

    /** {@code b}'s values with its rows in the base's order (a PEFT adapter's Q/K rows interleaved for a GGUF llama base). */
    static float[] inBaseRowOrder(LoraAdapter adapter, String name, LoraFactors f, ModelConfig config, boolean ggufBase) {
        float[] b = f.b().toFloatArray();
        int heads = permutedHeads(adapter, name, config, ggufBase);
        return heads > 0 ? hfToGgufRows(b, heads, config.headDim(), f.rank()) : b;
    }

    /** Refuses adapter tensors that no projection took (a wrong base, or a part this model does not adapt). */
    public void checkAllUsed() {
        for (AdapterSet.Use u : set.uses()) {
            for (String name : u.adapter().factors().keySet()) {
                if (!used.contains(u.adapter().source() + "\u0000" + name)) {
                    throw new FormatException(u.adapter().source(), name, "not applied",
                            "the base model has no projection of this name that takes an adapter (" + config.architecture() + ")");
                }
            }
        }
    }

    /**
     * The heads of a Q or K projection whose {@code b} rows must be reordered: a PEFT adapter
     * (transformers' order) on a GGUF llama base, whose converter interleaved each head's rows
     * (see docs/transformer.md, RoPE). 0 when none.
     */
    private static int permutedHeads(LoraAdapter adapter, String ggufName, ModelConfig config, boolean ggufBase) {
        if (adapter.rowOrder() != LoraAdapter.RowOrder.HUGGING_FACE || !ggufBase
                || config.rope().layout() != Rope.Layout.INTERLEAVED) {
            return 0;
        }
        if (ggufName.endsWith(".attn_q.weight")) {
            return config.heads();
        }
        return ggufName.endsWith(".attn_k.weight") ? config.kvHeads() : 0;
    }

    /** Within each head, row {@code half · D/2 + i} moves to row {@code 2i + half}, as llama.cpp's converter does to Q/K. */
    static float[] hfToGgufRows(float[] b, int heads, int headDim, int cols) {
        float[] out = new float[b.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < half; i++) {
                    System.arraycopy(b, (h * headDim + part * half + i) * cols, out, (h * headDim + 2 * i + part) * cols, cols);
                }
            }
        }
        return out;
    }
}
