package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A small random Llama-family model for tests: weights under GGUF names, kept in Hugging Face's
 * layout (Q and K rows not permuted), and writers for both file formats.
 */
final class TinyModel {
    final String arch;
    final int dim, ffn, layers, heads, kvHeads, headDim, vocab, context, experts, used;
    /** Width of each routed expert (ffn unless set), and of the shared expert (0: none). */
    int expertFfn, sharedFfn;
    /** Whether the top-k routing weights are renormalized (Mixtral, Qwen3-MoE) or not (Qwen2-MoE). */
    boolean normalizeTopK = true;
    final boolean bias, tied, qkNorm;
    final double theta = 10000;
    final float eps = 1e-5f;
    /** GGUF tensor names to values in Hugging Face layout, and shapes outermost first. */
    final Map<String, float[]> weights = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    private TinyModel(String arch, int dim, int ffn, int layers, int heads, int kvHeads, int vocab, int context,
                      boolean bias, boolean tied, int experts, int used) {
        this(arch, dim, ffn, layers, heads, kvHeads, dim / heads, vocab, context, bias, tied, experts, used, false);
    }

    private TinyModel(String arch, int dim, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab, int context,
                      boolean bias, boolean tied, int experts, int used, boolean qkNorm) {
        this.arch = arch;
        this.dim = dim;
        this.ffn = ffn;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.qkNorm = qkNorm;
        this.vocab = vocab;
        this.context = context;
        this.bias = bias;
        this.tied = tied;
        this.experts = experts;
        this.used = used;
        this.expertFfn = ffn;
    }

    /** Dense Llama: dim 64, 3 layers, 4 query heads over 2 KV heads of 16, ffn 96, vocab 100. */
    static TinyModel llama(Random random) {
        return new TinyModel("llama", 64, 96, 3, 4, 2, 100, 32, false, false, 0, 0).fill(random);
    }

    /**
     * Dense Llama wide enough for the CPU backend's vector matmuls and K-quant blocks of 256 (every weight row a
     * multiple of 256): dim 512, 2 layers, 8 query heads over 4 KV heads of 64, ffn 768, vocab 300.
     */
    static TinyModel llamaWide(Random random) {
        return new TinyModel("llama", 512, 768, 2, 8, 4, 300, 64, false, false, 0, 0).fill(random);
    }

    /** Mixtral-style: dim 64, 2 layers, 4 experts of ffn 48, 2 used per token. */
    static TinyModel mixtral(Random random) {
        return new TinyModel("llama", 64, 48, 2, 4, 2, 100, 32, false, false, 4, 2).fill(random);
    }

    /** Qwen2-style: biases on Q, K, V, tied embeddings, NEOX RoPE in GGUF too. */
    static TinyModel qwen2(Random random) {
        return new TinyModel("qwen2", 64, 96, 2, 4, 2, 100, 32, true, true, 0, 0).fill(random);
    }

    /**
     * Qwen3-style: per-head Q/K RMSNorm, no biases, head dimension 24 while dim / heads = 16 (so
     * {@code heads * headDim = 96 != dim}), own output matrix unless {@code tied}.
     */
    static TinyModel qwen3(Random random, boolean tied) {
        return new TinyModel("qwen3", 64, 96, 2, 4, 2, 24, 100, 32, false, tied, 0, 0, true).fill(random);
    }

    /**
     * Qwen2-MoE-style: Q/K/V biases, 4 routed experts of 32 (2 per token, weights not renormalized)
     * and a shared expert of 48 with its sigmoid gate; the dense width 80 is unused, as in the real configs.
     */
    static TinyModel qwen2moe(Random random) {
        TinyModel m = new TinyModel("qwen2moe", 64, 80, 2, 4, 2, 16, 100, 32, true, false, 4, 2, false);
        m.expertFfn = 32;
        m.sharedFfn = 48;
        m.normalizeTopK = false;
        return m.fill(random);
    }

    /** Qwen3-MoE-style: Qwen3's attention (head dim 24, Q/K norms), 4 experts of 32, 2 per token, renormalized, tied output. */
    static TinyModel qwen3moe(Random random) {
        TinyModel m = new TinyModel("qwen3moe", 64, 80, 2, 4, 2, 24, 100, 32, false, true, 4, 2, true);
        m.expertFfn = 32;
        return m.fill(random);
    }

    /** Any shape, for models written to compare with llama.cpp (whose quantizers want rows of 32 or 256). */
    static TinyModel of(String arch, int dim, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab, int context,
                        boolean bias, boolean tied, int experts, int used, boolean qkNorm, Random random) {
        return new TinyModel(arch, dim, ffn, layers, heads, kvHeads, headDim, vocab, context, bias, tied, experts, used, qkNorm)
                .fill(random);
    }

    /** A Qwen-MoE of any shape (dense width 2 · expertFfn, unused), for models written to compare with llama.cpp. */
    static TinyModel ofMoe(String arch, int dim, int layers, int heads, int kvHeads, int headDim, int vocab, int context, boolean bias,
                           boolean tied, int experts, int used, boolean qkNorm, int expertFfn, int sharedFfn, boolean normalize,
                           Random random) {
        TinyModel m = new TinyModel(arch, dim, 2 * expertFfn, layers, heads, kvHeads, headDim, vocab, context, bias, tied, experts,
                used, qkNorm);
        m.expertFfn = expertFfn;
        m.sharedFfn = sharedFfn;
        m.normalizeTopK = normalize;
        return m.fill(random);
    }

    /** Weights ~ N(0, 1/in) so every layer's outputs stay O(1); norm gains 1 + N(0, 0.2²); embeddings N(0, 1). */
    private TinyModel fill(Random r) {
        int q = heads * headDim, kv = kvHeads * headDim;
        put("token_embd.weight", Seeded.gaussian(r, vocab * dim, 1), vocab, dim);
        put("output_norm.weight", gains(r, dim), dim);
        if (!tied) {
            matrix(r, "output.weight", vocab, dim);
        }
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            put(b + "attn_norm.weight", gains(r, dim), dim);
            matrix(r, b + "attn_q.weight", q, dim);
            matrix(r, b + "attn_k.weight", kv, dim);
            matrix(r, b + "attn_v.weight", kv, dim);
            matrix(r, b + "attn_output.weight", dim, q);
            if (qkNorm) {
                put(b + "attn_q_norm.weight", gains(r, headDim), headDim);
                put(b + "attn_k_norm.weight", gains(r, headDim), headDim);
            }
            if (bias) {
                put(b + "attn_q.bias", Seeded.gaussian(r, q, 0.5), q);
                put(b + "attn_k.bias", Seeded.gaussian(r, kv, 0.5), kv);
                put(b + "attn_v.bias", Seeded.gaussian(r, kv, 0.5), kv);
            }
            put(b + "ffn_norm.weight", gains(r, dim), dim);
            if (experts == 0) {
                matrix(r, b + "ffn_gate.weight", ffn, dim);
                matrix(r, b + "ffn_up.weight", ffn, dim);
                matrix(r, b + "ffn_down.weight", dim, ffn);
            } else {
                int f = expertFfn;
                matrix(r, b + "ffn_gate_inp.weight", experts, dim);
                put(b + "ffn_gate_exps.weight", Seeded.gaussian(r, experts * f * dim, 1 / Math.sqrt(dim)), experts, f, dim);
                put(b + "ffn_up_exps.weight", Seeded.gaussian(r, experts * f * dim, 1 / Math.sqrt(dim)), experts, f, dim);
                put(b + "ffn_down_exps.weight", Seeded.gaussian(r, experts * dim * f, 1 / Math.sqrt(f)), experts, dim, f);
                if (sharedFfn > 0) {
                    matrix(r, b + "ffn_gate_shexp.weight", sharedFfn, dim);
                    matrix(r, b + "ffn_up_shexp.weight", sharedFfn, dim);
                    matrix(r, b + "ffn_down_shexp.weight", dim, sharedFfn);
                    // GGUF keeps the one-output gate as a vector [dim] (HF: [1, dim]); N(0, 1) so the sigmoid is not always ½
                    put(b + "ffn_gate_inp_shexp.weight", Seeded.gaussian(r, dim, 1 / Math.sqrt(dim) * 3), dim);
                }
            }
        }
        return this;
    }

    private static float[] gains(Random r, int n) {
        float[] g = Seeded.gaussian(r, n, 0.2);
        for (int i = 0; i < n; i++) {
            g[i] += 1;
        }
        return g;
    }

    private void matrix(Random r, String name, int rows, int cols) {
        put(name, Seeded.gaussian(r, rows * cols, 1 / Math.sqrt(cols)), rows, cols);
    }

    private void put(String name, float[] values, long... shape) {
        weights.put(name, values);
        shapes.put(name, shape);
    }

    /** The weights rounded to BF16 and back, as a BF16 checkpoint holds them. */
    Map<String, float[]> roundedToBf16() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            float[] r = e.getValue().clone();
            for (int i = 0; i < r.length; i++) {
                r[i] = dev.panamax.tensor.FloatConversions.bf16ToF32(dev.panamax.tensor.FloatConversions.f32ToBf16(r[i]));
            }
            out.put(e.getKey(), r);
        }
        return out;
    }

    /** The RoPE layout llama.cpp uses for this architecture in GGUF. */
    Rope.Layout ggufLayout() {
        return arch.equals("llama") ? Rope.Layout.INTERLEAVED : Rope.Layout.NEOX;
    }

    /** The weights as llama.cpp's converter stores them: Q and K rows (and biases) permuted for llama. */
    Map<String, float[]> ggufWeights() {
        Map<String, float[]> out = new LinkedHashMap<>(weights);
        if (ggufLayout() == Rope.Layout.INTERLEAVED) {
            for (String name : weights.keySet()) {
                if (name.matches("blk\\.\\d+\\.attn_q\\.(weight|bias)")) {
                    out.put(name, permute(weights.get(name), heads, shapes.get(name)));
                } else if (name.matches("blk\\.\\d+\\.attn_k\\.(weight|bias)")) {
                    out.put(name, permute(weights.get(name), kvHeads, shapes.get(name)));
                }
            }
        }
        return out;
    }

    /**
     * Within each head, row {@code half * D/2 + i} (Hugging Face: halves rotate together) moves to
     * row {@code 2i + half} (llama.cpp: adjacent pairs rotate together).
     */
    float[] permute(float[] w, int nHeads, long[] shape) {
        int cols = shape.length == 1 ? 1 : (int) shape[1];
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < half; i++) {
                    int from = h * headDim + part * half + i;
                    int to = h * headDim + 2 * i + part;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }

    /** Writes the model as llama.cpp would convert it (F32 tensors, {@code <arch>.*} metadata). */
    Path writeGguf(Path file) throws IOException {
        return writeGguf(file, w -> { });
    }

    /** As {@link #writeGguf(Path)}, letting {@code extra} add tensors or metadata before writing. */
    Path writeGguf(Path file, java.util.function.Consumer<GgufWriter> extra) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch);
        w.putString("general.name", "panamax tiny " + arch);
        w.putUInt32(arch + ".context_length", context);
        w.putUInt32(arch + ".embedding_length", dim);
        w.putUInt32(arch + ".block_count", layers);
        w.putUInt32(arch + ".feed_forward_length", ffn);
        w.putUInt32(arch + ".attention.head_count", heads);
        w.putUInt32(arch + ".attention.head_count_kv", kvHeads);
        w.putUInt32(arch + ".rope.dimension_count", headDim);
        if (headDim != dim / heads) {
            w.putUInt32(arch + ".attention.key_length", headDim);
            w.putUInt32(arch + ".attention.value_length", headDim);
        }
        w.putFloat32(arch + ".rope.freq_base", (float) theta);
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", eps);
        w.putUInt32(arch + ".vocab_size", vocab);
        if (experts > 0) {
            w.putUInt32(arch + ".expert_count", experts);
            w.putUInt32(arch + ".expert_used_count", used);
            if (arch.startsWith("qwen")) {
                w.putUInt32(arch + ".expert_feed_forward_length", expertFfn);
            }
            if (sharedFfn > 0) {
                w.putUInt32(arch + ".expert_shared_feed_forward_length", sharedFfn);
            }
        }
        for (Map.Entry<String, float[]> e : ggufWeights().entrySet()) {
            w.addTensor(e.getKey(), DType.F32, shapes.get(e.getKey()), MemorySegment.ofArray(e.getValue()));
        }
        extra.accept(w);
        w.write(file);
        return file;
    }

    /** Writes a Hugging Face checkpoint (config.json + model.safetensors, unpermuted Q/K, F32) into {@code dir}. */
    Path writeHf(Path dir) throws IOException {
        return writeHf(dir, DType.F32, "");
    }

    /**
     * Writes a Hugging Face checkpoint with every tensor stored as {@code storage} (F32, F16, BF16),
     * with {@code extraConfig} (e.g. {@code "rope_scaling": {...},}) added to config.json.
     */
    Path writeHf(Path dir, DType storage, String extraConfig) throws IOException {
        return writeHf(dir, storage, extraConfig, 1);
    }

    /** As {@link #writeHf(Path, DType, String)}, split over {@code shards} files with an index when more than one. */
    Path writeHf(Path dir, DType storage, String extraConfig, int shards) throws IOException {
        Files.createDirectories(dir);
        String type = switch (arch) {
            case "qwen2moe" -> "qwen2_moe";
            case "qwen3moe" -> "qwen3_moe";
            default -> arch.startsWith("qwen") ? arch : experts > 0 ? "mixtral" : "llama";
        };
        if (arch.endsWith("moe")) {
            // transformers' names for the Qwen-MoE fields (num_experts, not Mixtral's num_local_experts)
            extraConfig += "\"num_experts\": %d, \"moe_intermediate_size\": %d, \"shared_expert_intermediate_size\": %d, \"norm_topk_prob\": %s, \"decoder_sparse_step\": 1, \"mlp_only_layers\": [],"
                    .formatted(experts, expertFfn, sharedFfn, normalizeTopK);
        }
        if (headDim != dim / heads) {
            extraConfig += "\"head_dim\": " + headDim + ",";
        }
        Files.writeString(dir.resolve("config.json"), """
                {%s "architectures": ["X"], "model_type": "%s", "hidden_size": %d, "intermediate_size": %d,
                 "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d, "vocab_size": %d,
                 "max_position_embeddings": %d, "rms_norm_eps": %s, "rope_theta": %s, "tie_word_embeddings": %s,
                 %s"num_experts_per_tok": %d, "torch_dtype": "float32"}
                """.formatted(extraConfig, type, dim, ffn, layers, heads, kvHeads, vocab, context, Float.toString(eps), Double.toString(theta),
                tied, arch.endsWith("moe") ? "" : "\"num_local_experts\": " + experts + ", ", used));
        try (Arena arena = Arena.ofConfined()) {
            if (shards <= 1) {
                SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
                for (Map.Entry<String, float[]> e : weights.entrySet()) {
                    addHf(w, arena, e.getKey(), e.getValue(), storage);
                }
                w.write(dir.resolve("model.safetensors"));
            } else {
                writeShards(dir, arena, storage, shards);
            }
        }
        return dir;
    }

    /** Round-robin over {@code shards} files, with the index transformers writes. */
    private void writeShards(Path dir, Arena arena, DType storage, int shards) throws IOException {
        SafetensorsWriter[] w = new SafetensorsWriter[shards];
        String[] names = new String[shards];
        for (int i = 0; i < shards; i++) {
            w[i] = new SafetensorsWriter().putMetadata("format", "pt");
            names[i] = "model-%05d-of-%05d.safetensors".formatted(i + 1, shards);
        }
        StringBuilder map = new StringBuilder();
        int k = 0;
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            int shard = k++ % shards;
            addHf(w[shard], arena, e.getKey(), e.getValue(), storage);
            for (String hfName : hfNames(e.getKey())) {
                map.append(map.isEmpty() ? "" : ",\n").append("    \"").append(hfName).append("\": \"").append(names[shard]).append('"');
            }
        }
        for (int i = 0; i < shards; i++) {
            w[i].write(dir.resolve(names[i]));
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\n  \"metadata\": {\"total_size\": 0},\n  \"weight_map\": {\n" + map + "\n  }\n}\n");
    }

    private java.util.List<String> hfNames(String gguf) {
        if (!gguf.endsWith("_exps.weight")) {
            return java.util.List.of(hfName(gguf));
        }
        String[] p = gguf.split("\\.");
        String part = p[2].substring("ffn_".length(), p[2].length() - "_exps".length());
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int e = 0; e < experts; e++) {
            out.add(hfExpertName(Integer.parseInt(p[1]), e, part));
        }
        return out;
    }

    private void addHf(SafetensorsWriter w, Arena arena, String name, float[] values, DType storage) {
        long[] shape = shapes.get(name);
        if (name.endsWith("_exps.weight")) {
            String[] p = name.split("\\.");
            String part = p[2].substring("ffn_".length(), p[2].length() - "_exps".length());
            int size = (int) (shape[1] * shape[2]);
            for (int e = 0; e < experts; e++) {
                float[] one = java.util.Arrays.copyOfRange(values, e * size, (e + 1) * size);
                w.add(hfExpertName(Integer.parseInt(p[1]), e, part), Tensor.of(arena, one, shape[1], shape[2]).to(arena, storage));
            }
            return;
        }
        if (name.endsWith("ffn_gate_inp_shexp.weight")) {
            shape = new long[] {1, shape[0]}; // transformers' nn.Linear(hidden, 1)
        }
        w.add(hfName(name), Tensor.of(arena, values, shape).to(arena, storage));
    }

    /** Mixtral's per-expert names: w1 = gate, w3 = up, w2 = down; Qwen-MoE's: mlp.experts.E.gate_proj ... */
    private String hfExpertName(int layer, int expert, String part) {
        if (arch.startsWith("qwen")) {
            return "model.layers." + layer + ".mlp.experts." + expert + "." + part + "_proj.weight";
        }
        String w = switch (part) {
            case "gate" -> "w1";
            case "down" -> "w2";
            case "up" -> "w3";
            default -> throw new IllegalArgumentException("unknown expert projection " + part);
        };
        return "model.layers." + layer + ".block_sparse_moe.experts." + expert + "." + w + ".weight";
    }

    /** transformers' name of a llama.cpp tensor (this test's own table, independent of the production one). */
    String hfName(String gguf) {
        switch (gguf) {
            case "token_embd.weight" -> { return "model.embed_tokens.weight"; }
            case "output_norm.weight" -> { return "model.norm.weight"; }
            case "output.weight" -> { return "lm_head.weight"; }
            default -> { }
        }
        String[] p = gguf.split("\\.");
        String layer = "model.layers." + p[1] + ".";
        String suffix = "." + p[3];
        String hf = switch (p[2]) {
            case "attn_norm" -> "input_layernorm";
            case "ffn_norm" -> "post_attention_layernorm";
            case "attn_q" -> "self_attn.q_proj";
            case "attn_k" -> "self_attn.k_proj";
            case "attn_v" -> "self_attn.v_proj";
            case "attn_output" -> "self_attn.o_proj";
            case "attn_q_norm" -> "self_attn.q_norm";
            case "attn_k_norm" -> "self_attn.k_norm";
            case "ffn_gate" -> "mlp.gate_proj";
            case "ffn_up" -> "mlp.up_proj";
            case "ffn_down" -> "mlp.down_proj";
            case "ffn_gate_inp" -> arch.startsWith("qwen") ? "mlp.gate" : "block_sparse_moe.gate";
            case "ffn_gate_shexp" -> "mlp.shared_expert.gate_proj";
            case "ffn_up_shexp" -> "mlp.shared_expert.up_proj";
            case "ffn_down_shexp" -> "mlp.shared_expert.down_proj";
            case "ffn_gate_inp_shexp" -> "mlp.shared_expert_gate";
            default -> throw new IllegalArgumentException("no Hugging Face name for " + gguf);
        };
        return layer + hf + suffix;
    }
}
