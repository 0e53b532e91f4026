package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeConfig;
import dev.panamax.transformer.RopeScaling;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.WeightSource;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What every family's conversion to GGUF does ({@link GgufExport}): the shared {@code <arch>.*} keys,
 * RoPE scaling under llama.cpp's keys, and copying a checkpoint's tensors under their GGUF names,
 * matrices in the checkpoint's type, vectors (norm gains, biases) in F32 as llama.cpp's converter
 * writes them (its CPU adds no BF16 vectors). The families' own pieces are in the {@code *Export} classes.
 */
final class ExportWriter {
    final WeightSource weights;
    final GgufWriter out;
    final Arena arena;

    ExportWriter(WeightSource weights, GgufWriter out, Arena arena) {
        this.weights = weights;
        this.out = out;
        this.arena = arena;
    }

    /** An UnsupportedModelException naming the checkpoint and {@code what}. */
    UnsupportedModelException refuse(String what) {
        return new UnsupportedModelException(weights.file() + ": " + what);
    }

    /**
     * {@code general.architecture} and the {@code <arch>.*} keys of every family's shape, the RMSNorm
     * epsilon among them; returns {@code "<arch>."}.
     */
    String shape(String arch, ModelConfig c, int kvHeads, int keyLength, int valueLength, int ropeDims) {
        String a = shapeWithoutEps(arch, c, kvHeads, keyLength, valueLength, ropeDims);
        out.putFloat32(a + "attention.layer_norm_rms_epsilon", c.rmsEps());
        return a;
    }

    /** The common shape of {@code c}: its own head counts and head dimension, RoPE over {@code c.rope().dims()}. */
    String shape(String arch, ModelConfig c) {
        return shape(arch, c, c.kvHeads(), c.headDim(), c.headDim(), c.rope().dims());
    }

    /** As {@link #shape(String, ModelConfig, int, int, int, int)} without the RMSNorm epsilon (LayerNorm families). */
    String shapeWithoutEps(String arch, ModelConfig c, int kvHeads, int keyLength, int valueLength, int ropeDims) {
        String a = arch + ".";
        out.putString("general.architecture", arch);
        out.putUInt32(a + "context_length", c.contextLength());
        out.putUInt32(a + "embedding_length", c.dim());
        out.putUInt32(a + "block_count", c.layers());
        out.putUInt32(a + "feed_forward_length", c.ffnDim());
        out.putUInt32(a + "attention.head_count", c.heads());
        out.putUInt32(a + "attention.head_count_kv", kvHeads);
        out.putUInt32(a + "attention.key_length", keyLength);
        out.putUInt32(a + "attention.value_length", valueLength);
        out.putFloat32(a + "rope.freq_base", (float) c.rope().theta());
        out.putUInt32(a + "rope.dimension_count", ropeDims);
        out.putUInt32(a + "vocab_size", c.vocabSize());
        if (c.isMoe()) {
            out.putUInt32(a + "expert_count", c.expertCount());
            out.putUInt32(a + "expert_used_count", c.expertsUsed());
        }
        return a;
    }

    /**
     * RoPE scaling under llama.cpp's keys: linear and YaRN as keys, Llama 3's as {@code rope_freqs.weight}
     * (per-pair divisors). llama.cpp always truncates YaRN's correction range; {@code untruncatedYarn}
     * accepts a checkpoint that does not (gpt-oss: as llama.cpp's own converter, the GGUF file then
     * rotates a few pairs slightly differently from the checkpoint).
     */
    void rope(RopeConfig rope, String a, boolean untruncatedYarn) {
        switch (rope.scaling()) {
            case RopeScaling.None n -> { }
            case RopeScaling.Linear l -> out.putString(a + "rope.scaling.type", "linear").putFloat32(a + "rope.scaling.factor",
                    (float) l.factor());
            case RopeScaling.Yarn y -> {
                if ((!y.truncate() && !untruncatedYarn) || y.mscaleAllDim() != 0
                        || y.attentionFactor() != RopeScaling.Yarn.defaultAttentionFactor(y.factor())) {
                    throw refuse(y + " differs from the YaRN llama.cpp applies (truncated, attention factor 0.1 ln(factor) + 1);"
                            + " not converted");
                }
                out.putString(a + "rope.scaling.type", "yarn").putFloat32(a + "rope.scaling.factor", (float) y.factor())
                        .putUInt32(a + "rope.scaling.original_context_length", y.originalContext())
                        .putFloat32(a + "rope.scaling.yarn_beta_fast", (float) y.betaFast())
                        .putFloat32(a + "rope.scaling.yarn_beta_slow", (float) y.betaSlow());
            }
            case RopeScaling.Llama3 l3 -> {
                float[] base = rope.withScaling(new RopeScaling.None()).inverseFrequencies();
                float[] scaled = rope.inverseFrequencies();
                float[] factors = new float[base.length];
                for (int i = 0; i < factors.length; i++) {
                    factors[i] = (float) ((double) base[i] / scaled[i]);
                }
                out.addTensor("rope_freqs.weight", Tensor.of(arena, factors, factors.length));
            }
            default -> throw refuse("RoPE scaling " + rope.scaling() + " is not converted to GGUF (supported: none, linear, yarn,"
                    + " llama3; longrope for phi3)");
        }
    }

    /** Refuses a mixture of experts in a family converted dense only. */
    void requireDense(String family, ModelConfig c) {
        if (c.isMoe()) {
            throw refuse("converting a mixture of experts (" + c.expertCount() + " experts) of family '" + family + "' to GGUF is not"
                    + " supported (mixtures: mixtral, qwen2moe, qwen3moe, deepseek2, gpt-oss)");
        }
    }

    /**
     * The embedding, the final norm (through {@code norm}) and, unless tied, the output matrix; with
     * {@code outputOptional}, an untied model without {@code lm_head} is written tied (Starcoder2Config
     * ties by default).
     */
    void globals(ModelConfig c, BiFunction<TensorName, Tensor, Tensor> norm, boolean outputOptional) {
        out.addTensor("token_embd.weight", contiguous(weights.require(StandardParts.TOKEN_EMBEDDING.in(TensorFormat.HUGGING_FACE, -1,
                ".weight"))));
        copy(StandardParts.OUTPUT_NORM, -1, norm);
        if (!c.tiedEmbeddings()) {
            String lmHead = StandardParts.OUTPUT.in(TensorFormat.HUGGING_FACE, -1, ".weight");
            Optional<Tensor> output = weights.find(lmHead);
            if (output.isPresent() || !outputOptional) {
                out.addTensor("output.weight", contiguous(output.orElseGet(() -> weights.require(lmHead))));
            }
        }
    }

    /** Copies {@code name}'s weight (required) and bias (if present) of {@code layer}, each through {@code transform}. */
    void copy(TensorName name, int layer, BiFunction<TensorName, Tensor, Tensor> transform) {
        for (String suffix : List.of(".weight", ".bias")) {
            String hf = name.in(TensorFormat.HUGGING_FACE, layer, suffix);
            Optional<Tensor> t = suffix.equals(".weight") ? Optional.of(weights.require(hf)) : weights.find(hf);
            t.ifPresent(v -> put(name.in(TensorFormat.GGUF, layer, suffix), transform.apply(name, v)));
        }
    }

    /** Copies {@code names} (weights and biases) of every layer of {@code c}, each through {@code transform}. */
    void layers(ModelConfig c, List<TensorName> names, BiFunction<TensorName, Tensor, Tensor> transform) {
        for (int l = 0; l < c.layers(); l++) {
            for (TensorName n : names) {
                copy(n, l, transform);
            }
        }
    }

    /** Every tensor unchanged. */
    static Tensor same(TensorName name, Tensor t) {
        return t;
    }

    /** Adds {@code t} under {@code name}: vectors and biases in F32, everything contiguous. */
    void put(String name, Tensor t) {
        if ((t.rank() <= 1 || name.endsWith(".bias")) && t.dtype() != DType.F32) {
            t = t.to(arena, DType.F32);
        }
        out.addTensor(name, contiguous(t));
    }

    Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : t.contiguous(arena);
    }

    /** The {@code count} experts of {@code layer} as one {@code [E, rows, cols]} tensor of their type, streamed expert by expert. */
    void stacked(TensorName name, int layer, int count) {
        List<Tensor> experts = new ArrayList<>(count);
        for (int e = 0; e < count; e++) {
            Tensor t = weights.require(name.hfExpert(layer, e, ".weight"));
            if (!t.isContiguous() || t.rank() != 2 || (e > 0 && (t.dtype() != experts.getFirst().dtype()
                    || !Arrays.equals(t.shape(), experts.getFirst().shape())))) {
                throw refuse(name.hfExpert(layer, e, ".weight") + " " + t.describe() + " differs from expert 0's type or shape;"
                        + " not converted");
            }
            experts.add(t);
        }
        long[] shape = experts.getFirst().shape();
        out.addTensor(name.in(TensorFormat.GGUF, layer, ".weight"), GgmlType.of(experts.getFirst().dtype()),
                new long[] {count, shape[0], shape[1]}, sink -> {
                    for (Tensor t : experts) {
                        sink.write(t.data());
                    }
                });
    }

    /** Gemma's RMSNorm gain {@code w} as GGUF stores it, {@code 1 + w} (in F32). */
    Tensor plusOne(Tensor w) {
        float[] v = w.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] += 1;
        }
        return Tensor.of(arena, v, w.shape());
    }

    /**
     * llama.cpp's Q/K permutation for its "norm" RoPE architectures (Llama, Granite): within each head
     * of {@code 2h} rows, the row of pair entry {@code (i, half)} moves from {@code half · h + i} to
     * {@code 2i + half}, so that pairs are adjacent (F32; rows of a bias are single values).
     */
    Tensor pairAdjacent(Tensor w, int heads) {
        long rows = w.shape()[0];
        long cols = w.rank() == 1 ? 1 : w.shape()[1];
        float[] in = (w.dtype() == DType.F32 ? w : w.to(arena, DType.F32)).toFloatArray();
        float[] permuted = new float[in.length];
        int headRows = (int) (rows / heads), half = headRows / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    long from = (long) h * headRows + (long) j * half + i, to = (long) h * headRows + 2L * i + j;
                    System.arraycopy(in, (int) (from * cols), permuted, (int) (to * cols), (int) cols);
                }
            }
        }
        return Tensor.of(arena, permuted, w.shape());
    }
}
