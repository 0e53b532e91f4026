package dev.panamax.transformer.nn;

import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;
import dev.panamax.transformer.lora.LoraFactors;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.family.TensorFormat;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The LoRA adapter sets of one session (one built set of layers over the model's shared weights):
 * the projections and the embedding that can take an adapter, by llama.cpp's name of their weight,
 * and each {@link AdapterSet} fitted to them once ({@link #register}): the factors checked against
 * the base weight's shape, put into the base's Q/K row order and uploaded (small copies owned by the
 * session: {@code a} in the adapter's own F16 or BF16, or F32; {@code b} F32 with the adapter's
 * factor folded in; the base weights are untouched). A fitted set has a number that the session's
 * {@link AdapterSlots} give to the slots that use it.
 */
public final class AdapterWeights {
    /** For layers built without a session (tools, tests): nothing takes an adapter. */
    public static final AdapterWeights NONE = new AdapterWeights(null, null, null, null, null, new AdapterSlots(1, AdapterSlots.NONE));

    private final Ops ops;
    private final Arena arena;
    private final Scratch scratch;
    private final ModelConfig config;
    private final TensorFormat format;
    private final AdapterSlots slots;
    private final Map<String, Linear> linears = new HashMap<>();
    private final Map<String, List<Linear>> experts = new HashMap<>();
    private final Map<String, Embedding> embeddings = new HashMap<>();
    /** Names of base weights some other layer multiplies by too (a tied output reads {@code token_embd}). */
    private final Set<String> sharedAsOutput = new LinkedHashSet<>();
    /** The fitted sets; index = number, 0 = no adapter. */
    private final List<AdapterSet> sets = new ArrayList<>(List.of(AdapterSet.NONE));

    /**
     * The adapter layers of one model being built, empty until {@link #register} fits a set.
     *
     * @param ops     the backend the factors are uploaded to
     * @param arena   owns the uploaded factors
     * @param scratch the shared scratch memory the low-rank products use
     * @param config  the model's shape, to check the factors against
     * @param format  the naming and row order of the model's weights
     * @param slots   the session's per-slot choice of set, shared with its layers
     */
    public AdapterWeights(Ops ops, Arena arena, Scratch scratch, ModelConfig config, TensorFormat format, AdapterSlots slots) {
        this.ops = ops;
        this.arena = arena;
        this.scratch = scratch;
        this.config = config;
        this.format = format;
        this.slots = slots;
    }

    /**
     * The session's choice of set per slot.
     *
     * @return the slots' adapter sets, shared with the session's transformer
     */
    public AdapterSlots slots() {
        return slots;
    }

    /**
     * Makes {@code base}, the projection by the weight {@code ggufName} (llama.cpp's name), take adapters; returns it.
     *
     * @param base     the base projection, whose weights stay shared
     * @param ggufName the weight's tensor name in GGUF ({@code blk.N.attn_q.weight}), which adapters name too
     * @return {@code base} itself, now registered for adapters
     */
    public Linear adaptable(Linear base, String ggufName) {
        if (this != NONE) {
            linears.put(ggufName, base);
        }
        return base;
    }

    /**
     * The experts of one stacked weight {@code ggufName} ({@code blk.N.ffn_up_exps.weight}), expert e's projection at e.
     *
     * @param perExpert the experts' base projections, expert e at index e
     * @param ggufName  the stacked weight's tensor name in GGUF
     * @return {@code perExpert} itself, now registered for adapters
     */
    public List<Linear> adaptableExperts(List<Linear> perExpert, String ggufName) {
        if (this != NONE) {
            experts.put(ggufName, List.copyOf(perExpert));
        }
        return perExpert;
    }

    /**
     * The token embedding by the table {@code ggufName}; {@code tiedOutput}: the output projection multiplies by the table too.
     *
     * @param embedding  the base embedding, whose table stays shared
     * @param ggufName   the table's tensor name in GGUF ({@code token_embd.weight})
     * @param tiedOutput whether the output projection reads the same table (tied embeddings)
     * @return {@code embedding} itself, now registered for adapters
     */
    public Embedding adaptable(Embedding embedding, String ggufName, boolean tiedOutput) {
        if (this != NONE) {
            embeddings.put(ggufName, embedding);
            if (tiedOutput) {
                sharedAsOutput.add(ggufName);
            }
        }
        return embedding;
    }

    /**
     * The set numbered {@code number} ({@link AdapterSlots#setOf}).
     *
     * @param number a number returned for a set fitted to these layers
     * @return the adapter set with that number
     */
    public synchronized AdapterSet set(int number) {
        return sets.get(number);
    }

    /**
     * The number of {@code set}, fitting it to these layers first if it is new (a set equal to one
     * fitted before, the same adapters at the same scales, is not fitted again). Nothing is attached
     * unless every tensor of every adapter fits.
     *
     * @param set the adapters and their scales
     * @return the set's number, what a slot's choice holds (0: no adapter)
     * @throws FormatException naming the adapter tensor if it does not fit its base weight, or no layer takes it
     * @throws UnsupportedModelException for a GGUF adapter on a Hugging Face checkpoint
     */
    public synchronized int register(AdapterSet set) {
        int known = sets.indexOf(set);
        if (known >= 0) {
            return known;
        }
        int number = sets.size();
        List<Runnable> attach = new ArrayList<>();
        for (AdapterSet.Use u : set.uses()) {
            LoraAdapter adapter = u.adapter();
            if (adapter.rowOrder() == LoraAdapter.RowOrder.GGUF && format == TensorFormat.HUGGING_FACE) {
                throw new UnsupportedModelException(adapter.source() + ": a GGUF adapter applies to a GGUF base;"
                        + " use the PEFT adapter with a Hugging Face checkpoint");
            }
            for (var e : adapter.factors().entrySet()) {
                fit(u, e.getKey(), e.getValue(), number, attach);
            }
        }
        attach.forEach(Runnable::run);
        sets.add(set);
        return number;
    }

    /** Checks one adapter tensor against its layer and adds the upload and attachment to {@code attach}. */
    private void fit(AdapterSet.Use u, String name, LoraFactors f, int number, List<Runnable> attach) {
        LoraAdapter adapter = u.adapter();
        float s = u.factor(f.rank());
        Linear linear = linears.get(name);
        List<Linear> stack = experts.get(name);
        Embedding embedding = embeddings.get(name);
        if (linear != null && f.a().rank() == 2) {
            checkShape(adapter, name, f, linear.weight().shape());
            float[] b = inBaseRowOrder(adapter, name, f, config, format == TensorFormat.GGUF);
            attach.add(() -> {
                Uploaded u2 = upload(f.a(), b, f.b(), s);
                linear.attach(slots, number, u2.a(), u2.b(), scratch);
            });
        } else if (stack != null && f.a().rank() == 3) {
            long count = f.a().size(0);
            if (count != stack.size() || f.b().size(0) != count) {
                throw new FormatException(adapter.source(), name, "lora_a " + Arrays.toString(f.a().shape()) + ", lora_b "
                        + Arrays.toString(f.b().shape()), "the base has " + stack.size() + " experts here");
            }
            for (int e = 0; e < count; e++) {
                Linear expert = stack.get(e);
                LoraFactors one = new LoraFactors(f.a().select(0, e), f.b().select(0, e));
                checkShape(adapter, name + " (expert " + e + ")", one, expert.weight().shape());
                float[] b = one.b().toFloatArray();
                attach.add(() -> {
                    Uploaded u2 = upload(one.a(), b, one.b(), s);
                    expert.attach(slots, number, u2.a(), u2.b(), scratch);
                });
            }
        } else if (embedding != null && f.a().rank() == 2) {
            if (sharedAsOutput.contains(name)) {
                throw new FormatException(adapter.source(), name, "token embedding adapter",
                        "this model's output projection is the embedding table (tied), and llama.cpp applies a " + name
                                + " adapter to that projection too, whose factors do not fit it; not supported on a tied model");
            }
            long[] table = embedding.table().shape();
            if (f.a().size(0) != table[0] || f.b().size(0) != table[1] || f.a().size(1) != f.b().size(1)) {
                throw new FormatException(adapter.source(), name, "lora_a " + Arrays.toString(f.a().shape()) + ", lora_b "
                        + Arrays.toString(f.b().shape()), "does not fit the table " + Arrays.toString(table) + " (llama.cpp's"
                        + " embedding adapter: lora_a [" + table[0] + ", r], lora_b [" + table[1] + ", r])");
            }
            float[] b = f.b().toFloatArray();
            attach.add(() -> {
                Uploaded u2 = upload(f.a(), b, f.b(), s);
                embedding.attach(slots, number, u2.a(), u2.b(), scratch);
            });
        } else {
            throw new FormatException(adapter.source(), name, "lora_a " + Arrays.toString(f.a().shape()),
                    "the base model has no layer of this name that takes an adapter of this rank (" + config.architecture()
                            + "; adapted: projections, the experts' stacked projections, the token embedding)");
        }
    }

    private static float[] scaled(float[] b, float s) {
        for (int i = 0; i < b.length; i++) {
            b[i] *= s;
        }
        return b;
    }

    /** One adapter tensor's factors on the backend. */
    private record Uploaded(Tensor a, Tensor b) {
    }

    /**
     * Uploads {@code a}, an F16 or BF16 one in its type (exactly the file's values, half the bytes a
     * decode step reads of F32; others as F32), and {@code b} (the values of {@code bFile}, in the
     * base's row order) as F32 times {@code s}. {@code b [out, r]} stays F32: its rows are only r long,
     * where decoding F16 rows costs most, and F16 {@code a} and {@code b} with the scale applied to
     * {@code x · aᵀ} cost more CPU time per decode step than F32 factors in paired runs (docs/lora.md).
     */
    private Uploaded upload(Tensor a, float[] b, Tensor bFile, float s) {
        Tensor onA = ops.upload(arena, a.to(arena, kept(a.dtype())));
        return new Uploaded(onA, ops.upload(arena, Tensor.of(arena, scaled(b, s), bFile.shape())));
    }

    /** The type a factor of file type {@code t} is kept in on the backend. */
    static DType kept(DType t) {
        return t == DType.F16 || t == DType.BF16 ? t : DType.F32;
    }

    /** Throws a {@link FormatException} naming the tensor and both shapes unless {@code a [r, in]}, {@code b [out, r]} fit {@code w [out, in]}. */
    public static void checkShape(LoraAdapter adapter, String name, LoraFactors f, long[] w) {
        if (f.a().size(1) != w[1] || f.b().size(0) != w[0]) {
            throw new FormatException(adapter.source(), name, "lora_a " + Arrays.toString(f.a().shape()) + ", lora_b "
                    + Arrays.toString(f.b().shape()), "does not fit the base tensor " + Arrays.toString(w)
                    + " (lora_a must be [r, " + w[1] + "], lora_b [" + w[0] + ", r]); is it the adapter of another model?");
        }
    }

    /** {@code b}'s values with its rows in the base's order (a PEFT adapter's Q/K rows interleaved for a GGUF llama base). */
    public static float[] inBaseRowOrder(LoraAdapter adapter, String name, LoraFactors f, ModelConfig config, boolean ggufBase) {
        float[] b = f.b().toFloatArray();
        int heads = permutedHeads(adapter, name, config, ggufBase);
        return heads > 0 ? hfToGgufRows(b, heads, config.headDim(), f.rank()) : b;
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
