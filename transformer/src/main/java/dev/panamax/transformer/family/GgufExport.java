package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufArray;
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
import java.util.List;
import java.util.Optional;

/**
 * A Hugging Face checkpoint's weights and hyper-parameters under llama.cpp's names and keys, as its
 * {@code convert_hf_to_gguf.py} writes them, for the families whose two formats this project reads
 * the same model from: Llama (Q and K rows permuted so that adjacent pairs rotate together; Llama 3's
 * scaling as {@code rope_freqs.weight}), Qwen2, Qwen3, Gemma 3 (RMSNorm gains stored as {@code 1 + w})
 * and DeepSeek V2/V3 (experts stacked, {@code kv_b} split into {@code attn_k_b} / {@code attn_v_b}). Matrices keep the checkpoint's type
 * (F32, F16, BF16; FP8 arrives as BF16); vectors and the tensors this rewrites are written in F32. Other families, and features llama.cpp would read differently, are refused by name.
 */
public final class GgufExport {
    private GgufExport() {
    }

    private static final List<TensorName> DENSE = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM, StandardParts.FFN_GATE, StandardParts.FFN_UP,
            StandardParts.FFN_DOWN);
    private static final List<TensorName> QK_NORM = List.of(StandardParts.ATTN_Q_NORM, StandardParts.ATTN_K_NORM);
    private static final List<TensorName> GEMMA3 = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, StandardParts.ATTN_Q_NORM, StandardParts.ATTN_K_NORM,
            GemmaParts.POST_ATTENTION_NORM, GemmaParts.PRE_FFN_NORM, StandardParts.FFN_GATE, StandardParts.FFN_UP,
            StandardParts.FFN_DOWN, GemmaParts.POST_FFN_NORM);
    private static final List<TensorName> GEMMA3_NORMS = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q_NORM,
            StandardParts.ATTN_K_NORM, GemmaParts.POST_ATTENTION_NORM, GemmaParts.PRE_FFN_NORM, GemmaParts.POST_FFN_NORM);

    /** The family names this converts. */
    public static final List<String> FAMILIES = List.of("llama", "qwen2", "qwen3", "gemma3", "deepseek2");

    /**
     * Adds {@code config}'s metadata ({@code general.architecture}, {@code <arch>.*}) and every weight
     * of {@code weights} (a Hugging Face checkpoint) to {@code out}; tensors made here live in {@code arena}.
     *
     * @throws UnsupportedModelException for a family or a feature this does not convert
     */
    public static void write(FamilyConfig config, WeightSource weights, GgufWriter out, Arena arena) {
        String family = config.familyName();
        ModelConfig c = config.common();
        if (!FAMILIES.contains(family)) {
            throw new UnsupportedModelException(weights.file() + ": converting family '" + family + "' to GGUF is not supported"
                    + " (supported: " + String.join(", ", FAMILIES) + ")");
        }
        if (config instanceof DeepSeek2.Config d) {
            deepSeek2(weights, d, out, arena);
            return;
        }
        if (c.isMoe()) {
            throw new UnsupportedModelException(weights.file() + ": converting a mixture of experts (" + c.expertCount()
                    + " experts) to GGUF is not supported (supported: dense " + String.join(", ", FAMILIES) + ")");
        }
        String a = shape(out, family, c, c.kvHeads(), c.headDim(), c.headDim(), c.rope().dims());
        rope(weights, c.rope(), a, out, arena);
        if (config instanceof Gemma2.Config g) {
            gemma3(weights, c, g, a, out);
        }

        out.addTensor("token_embd.weight", weights.require("model.embed_tokens.weight"));
        put(out, "output_norm.weight", norm(family, weights.require("model.norm.weight"), arena), arena);
        if (!c.tiedEmbeddings()) {
            out.addTensor("output.weight", weights.require("lm_head.weight"));
        }
        List<TensorName> names = new ArrayList<>(family.equals("gemma3") ? GEMMA3 : DENSE);
        if (family.equals("qwen3")) {
            names.addAll(QK_NORM);
        }
        for (int l = 0; l < c.layers(); l++) {
            for (TensorName n : names) {
                for (String suffix : List.of(".weight", ".bias")) {
                    Optional<Tensor> t = weights.find(n.in(TensorFormat.HUGGING_FACE, l, suffix));
                    if (t.isEmpty()) {
                        if (suffix.equals(".weight")) {
                            weights.require(n.in(TensorFormat.HUGGING_FACE, l, suffix));
                        }
                        continue;
                    }
                    Tensor v = t.get();
                    if (family.equals("gemma3") && GEMMA3_NORMS.contains(n)) {
                        v = norm(family, v, arena);
                    } else if (family.equals("llama") && (n == StandardParts.ATTN_Q || n == StandardParts.ATTN_K)) {
                        v = pairAdjacent(v, n == StandardParts.ATTN_Q ? c.heads() : c.kvHeads(), arena);
                    }
                    put(out, n.in(TensorFormat.GGUF, l, suffix), v, arena);
                }
            }
        }
    }

    /**
     * DeepSeek V2/V3 as llama.cpp's converter writes it since mid-2025: {@code kv_b} split into
     * {@code attn_k_b} / {@code attn_v_b} ({@link #splitKvB}), so that llama.cpp runs its absorbed MLA
     * over a latent cache of one KV head of {@code L + R} (the per-head sizes as
     * {@code attention.key_length_mla} / {@code value_length_mla}), the routed experts stacked ({@code ffn_gate_exps [E, F, dim]}), YaRN's {@code mscale_all_dim} as
     * {@code 0.1 ·} {@code yarn_log_multiplier}.
     */
    private static void deepSeek2(WeightSource weights, DeepSeek2.Config d, GgufWriter out, Arena arena) {
        ModelConfig c = d.common();
        DeepSeek2.Mla mla = d.mla();
        DeepSeek2.Moe moe = d.moe();
        if (c.rope().layout() != dev.panamax.tensor.Rope.Layout.INTERLEAVED) {
            throw new UnsupportedModelException(weights.file() + ": rope_interleave false is not converted (llama.cpp ropes q_pe/k_pe"
                    + " in adjacent pairs)");
        }
        if (moe.groups() > 1 && moe.groupScore() != DeepSeekRouter.GroupScore.TOP2_SUM) {
            throw new UnsupportedModelException(weights.file() + ": group_limited_greedy routing (groups scored by their best"
                    + " expert) is not converted; llama.cpp scores groups by their top two");
        }
        // MLA as MQA over the latent: one KV head of L + R keys and L values; the per-head shapes under *_mla
        String a = shape(out, "deepseek2", c, 1, mla.kvLoraRank() + mla.ropeDim(), mla.kvLoraRank(), mla.ropeDim());
        out.putUInt32(a + "attention.key_length_mla", mla.nopeDim() + mla.ropeDim());
        out.putUInt32(a + "attention.value_length_mla", mla.valueDim());
        // 0 without q LoRA: llama.cpp requires the key unless the model has 26 or 27 blocks (its V2-Lite test)
        out.putUInt32(a + "attention.q_lora_rank", mla.qLoraRank());
        out.putUInt32(a + "attention.kv_lora_rank", mla.kvLoraRank());
        out.putUInt32(a + "leading_dense_block_count", moe.denseLeading());
        out.putUInt32(a + "expert_count", moe.experts());
        out.putUInt32(a + "expert_used_count", moe.used());
        out.putUInt32(a + "expert_feed_forward_length", moe.expertFfn());
        out.putUInt32(a + "expert_shared_count", moe.shared());
        out.putFloat32(a + "expert_weights_scale", (float) moe.scale());
        out.putBool(a + "expert_weights_norm", moe.normalize());
        out.putUInt32(a + "expert_gating_func", moe.gating() == DeepSeekRouter.Gating.SIGMOID ? 2 : 1);
        out.putUInt32(a + "expert_group_count", moe.groups());
        out.putUInt32(a + "expert_group_used_count", moe.groupsUsed());
        if (c.rope().scaling() instanceof RopeScaling.Yarn y) {
            if (!y.truncate() || y.mscale() != y.mscaleAllDim()) {
                throw new UnsupportedModelException(weights.file() + ": " + y + ": llama.cpp's deepseek2 truncates and takes"
                        + " mscale = mscale_all_dim; not converted");
            }
            out.putString(a + "rope.scaling.type", "yarn").putFloat32(a + "rope.scaling.factor", (float) y.factor())
                    .putUInt32(a + "rope.scaling.original_context_length", y.originalContext())
                    .putFloat32(a + "rope.scaling.yarn_beta_fast", (float) y.betaFast())
                    .putFloat32(a + "rope.scaling.yarn_beta_slow", (float) y.betaSlow())
                    .putFloat32(a + "rope.scaling.yarn_log_multiplier", (float) (0.1 * y.mscaleAllDim()));
        } else if (!(c.rope().scaling() instanceof RopeScaling.None)) {
            throw new UnsupportedModelException(weights.file() + ": RoPE scaling " + c.rope().scaling() + " is not converted for deepseek2");
        }
        out.addTensor("token_embd.weight", weights.require("model.embed_tokens.weight"));
        put(out, "output_norm.weight", weights.require("model.norm.weight"), arena);
        if (!c.tiedEmbeddings()) {
            out.addTensor("output.weight", weights.require("lm_head.weight"));
        }
        List<TensorName> attention = mla.qLoraRank() > 0
                ? List.of(StandardParts.ATTN_NORM, DeepSeek2.Q_A, DeepSeek2.Q_A_NORM, DeepSeek2.Q_B)
                : List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q);
        List<TensorName> rest = List.of(DeepSeek2.KV_A, DeepSeek2.KV_A_NORM, StandardParts.ATTN_OUTPUT, StandardParts.FFN_NORM);
        for (int l = 0; l < c.layers(); l++) {
            splitKvB(weights.require(DeepSeek2.KV_B.in(TensorFormat.HUGGING_FACE, l, ".weight")), c.heads(), mla, l, out, arena);
            List<TensorName> names = new ArrayList<>(attention);
            names.addAll(rest);
            if (l < moe.denseLeading()) {
                names.addAll(List.of(StandardParts.FFN_GATE, StandardParts.FFN_UP, StandardParts.FFN_DOWN));
            } else {
                names.add(DeepSeek2.ROUTER);
                if (moe.shared() > 0) {
                    names.addAll(List.of(DeepSeek2.GATE_SHEXP, DeepSeek2.UP_SHEXP, DeepSeek2.DOWN_SHEXP));
                }
                String bias = DeepSeek2.ROUTER_BIAS.in(TensorFormat.HUGGING_FACE, l, "");
                Optional<Tensor> b = weights.find(bias);
                if (b.isPresent()) {
                    put(out, DeepSeek2.ROUTER_BIAS.in(TensorFormat.GGUF, l, ".bias"), b.get(), arena);
                }
                for (TensorName e : List.of(DeepSeek2.GATE_EXPS, DeepSeek2.UP_EXPS, DeepSeek2.DOWN_EXPS)) {
                    stacked(weights, e, l, moe.experts(), out);
                }
            }
            for (TensorName n : names) {
                put(out, n.in(TensorFormat.GGUF, l, ".weight"), weights.require(n.in(TensorFormat.HUGGING_FACE, l, ".weight")), arena);
            }
        }
    }

    /**
     * {@code kv_b [H(N + V), L]} as llama.cpp's converter splits it: per head the N key rows,
     * transposed, as {@code attn_k_b [H, L, N]} (what the absorbed query product reads) and the V value
     * rows as {@code attn_v_b [H, V, L]}, both of the checkpoint's type.
     */
    private static void splitKvB(Tensor kvB, int heads, DeepSeek2.Mla mla, int layer, GgufWriter out, Arena arena) {
        int n = mla.nopeDim(), v = mla.valueDim(), l = mla.kvLoraRank();
        Tensor perHead = kvB.reshape(heads, n + v, l);
        Tensor kB = perHead.narrow(1, 0, n).transpose(1, 2).contiguous(arena);
        Tensor vB = perHead.narrow(1, n, v).contiguous(arena);
        out.addTensor(DeepSeek2.K_B.in(TensorFormat.GGUF, layer, ".weight"), kB);
        out.addTensor(DeepSeek2.V_B.in(TensorFormat.GGUF, layer, ".weight"), vB);
    }

    /** The {@code count} experts of {@code layer} as one {@code [E, rows, cols]} tensor of their type, streamed expert by expert. */
    private static void stacked(WeightSource weights, TensorName name, int layer, int count, GgufWriter out) {
        List<Tensor> experts = new ArrayList<>(count);
        for (int e = 0; e < count; e++) {
            Tensor t = weights.require(name.hfExpert(layer, e, ".weight"));
            if (!t.isContiguous() || t.rank() != 2 || (e > 0 && (t.dtype() != experts.getFirst().dtype()
                    || !java.util.Arrays.equals(t.shape(), experts.getFirst().shape())))) {
                throw new UnsupportedModelException(weights.file() + ": " + name.hfExpert(layer, e, ".weight") + " " + t.describe()
                        + " differs from expert 0's type or shape; not converted");
            }
            experts.add(t);
        }
        long[] shape = experts.getFirst().shape();
        out.addTensor(name.in(TensorFormat.GGUF, layer, ".weight"), dev.panamax.formats.gguf.GgmlType.of(experts.getFirst().dtype()),
                new long[] {count, shape[0], shape[1]}, sink -> {
                    for (Tensor t : experts) {
                        sink.write(t.data());
                    }
                });
    }

    /** Adds {@code t}: vectors (norm gains, biases) in F32, as llama.cpp's converter writes them (its CPU adds no BF16 vectors). */
    private static void put(GgufWriter out, String name, Tensor t, Arena arena) {
        if (t.rank() <= 1 && t.dtype() != DType.F32) {
            t = t.to(arena, DType.F32);
        }
        out.addTensor(name, t.isContiguous() ? t : t.contiguous(arena));
    }

    /** {@code general.architecture} and the {@code <arch>.*} keys of every family's shape; returns {@code "<arch>."}. */
    private static String shape(GgufWriter out, String arch, ModelConfig c, int kvHeads, int keyLength, int valueLength, int ropeDims) {
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
        out.putFloat32(a + "attention.layer_norm_rms_epsilon", c.rmsEps());
        out.putFloat32(a + "rope.freq_base", (float) c.rope().theta());
        out.putUInt32(a + "rope.dimension_count", ropeDims);
        out.putUInt32(a + "vocab_size", c.vocabSize());
        return a;
    }

    /** RoPE scaling under llama.cpp's keys: linear and YaRN as keys, Llama 3's as {@code rope_freqs.weight} (per-pair divisors). */
    private static void rope(WeightSource weights, RopeConfig rope, String a, GgufWriter out, Arena arena) {
        switch (rope.scaling()) {
            case RopeScaling.None n -> { }
            case RopeScaling.Linear l -> out.putString(a + "rope.scaling.type", "linear").putFloat32(a + "rope.scaling.factor",
                    (float) l.factor());
            case RopeScaling.Yarn y -> {
                if (!y.truncate() || y.mscaleAllDim() != 0 || y.attentionFactor() != RopeScaling.Yarn.defaultAttentionFactor(y.factor())) {
                    throw new UnsupportedModelException(weights.file() + ": " + y + " differs from the YaRN llama.cpp applies"
                            + " (truncated, attention factor 0.1 ln(factor) + 1); not converted");
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
            default -> throw new UnsupportedModelException(weights.file() + ": RoPE scaling " + rope.scaling()
                    + " is not converted to GGUF (supported: none, linear, yarn, llama3)");
        }
    }

    /** Gemma 3's keys; llama.cpp's attention scale is {@code 1/sqrt(head_dim)} (but for 27B), so other scalars are refused. */
    private static void gemma3(WeightSource weights, ModelConfig c, Gemma2.Config g, String a, GgufWriter out) {
        float llamaCppScale = (float) (1 / Math.sqrt(c.layers() == 62 ? (double) c.dim() / c.heads() : c.headDim()));
        if (g.attentionScale() != llamaCppScale || g.attentionSoftCap() != 0) {
            throw new UnsupportedModelException(weights.file() + ": attention scale " + g.attentionScale() + " (query_pre_attn_scalar)"
                    + " and soft-cap " + g.attentionSoftCap() + ": llama.cpp's gemma3 uses " + llamaCppScale + " and none; not converted");
        }
        if (!g.localRope().scaling().equals(new RopeScaling.None())) {
            throw new UnsupportedModelException(weights.file() + ": the sliding layers' RoPE scaling " + g.localRope().scaling()
                    + " is not converted (llama.cpp's gemma3 does not scale them)");
        }
        if (g.finalSoftCap() != 0) {
            out.putFloat32(a + "final_logit_softcapping", g.finalSoftCap());
        }
        if (g.window() > 0) {
            out.putUInt32(a + "attention.sliding_window", g.window());
            out.putFloat32(a + "rope.freq_base_swa", (float) g.localRope().theta());
            boolean[] sliding = new boolean[g.sliding().size()];
            for (int l = 0; l < sliding.length; l++) {
                sliding[l] = g.sliding().get(l);
            }
            out.putArray(a + "attention.sliding_window_pattern", GgufArray.ofBool(sliding));
        }
    }

    /** Gemma's RMSNorm gains {@code w} as GGUF stores them, {@code 1 + w} (in F32); others unchanged. */
    private static Tensor norm(String family, Tensor w, Arena arena) {
        if (!family.equals("gemma3")) {
            return w;
        }
        float[] v = w.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] += 1;
        }
        return Tensor.of(arena, v, w.shape());
    }

    /**
     * llama.cpp's Q/K permutation for Llama: within each head of {@code 2h} rows, the row of pair
     * entry {@code (i, half)} moves from {@code half · h + i} to {@code 2i + half}, so that pairs are adjacent (F32).
     */
    static Tensor pairAdjacent(Tensor w, int heads, Arena arena) {
        long rows = w.shape()[0];
        long cols = w.rank() == 1 ? 1 : w.shape()[1];
        float[] in = (w.dtype() == DType.F32 ? w : w.to(arena, DType.F32)).toFloatArray();
        float[] out = new float[in.length];
        int headRows = (int) (rows / heads), half = headRows / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    long from = (long) h * headRows + (long) j * half + i, to = (long) h * headRows + 2L * i + j;
                    System.arraycopy(in, (int) (from * cols), out, (int) (to * cols), (int) cols);
                }
            }
        }
        return Tensor.of(arena, out, w.shape());
    }
}
