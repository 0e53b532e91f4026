package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.SafetensorsDType;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A small random gpt-oss model: dim 64, 3 layers (0 and 2 windowed, window 3), 4 query heads over
 * 2 KV heads of 24, 4 experts of width 32 (2 per token), vocabulary 100, YaRN (factor 4, original
 * context 16, 64 positions), biases everywhere, sinks. The experts are MXFP4: random 4-bit codes
 * and E8M0 scales, so their exact values are known ({@link #weights} holds them decoded, by GGUF
 * name), written as ggml blocks in GGUF (or as F32) and as transformers' {@code _blocks}/{@code _scales}
 * (values {@code 2j, 2j+1} in byte {@code j}, gate and up rows interleaved) in the Hugging Face checkpoint.
 */
final class TinyGptOss {
    static final double[] FP4 = {0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6};
    final int dim = 64, layers = 3, heads = 4, kvHeads = 2, headDim = 24, ffn = 32, experts = 4, used = 2, vocab = 100;
    final int context = 64, window = 3, yarnOriginal = 16;
    final double theta = 10000, yarnFactor = 4;
    final float eps = 1e-5f;
    /** Which layers slide: llama.cpp's default pattern 2 and GptOssConfig's default (even layers). */
    final boolean[] sliding = {true, false, true};
    /** GGUF name to values (experts decoded), shapes outermost first. */
    final Map<String, float[]> weights = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    /** Per expert tensor (GGUF name): the 4-bit code of every value, row-major, and the scale byte of every 32. */
    private final Map<String, int[]> codes = new LinkedHashMap<>();
    private final Map<String, byte[]> scales = new LinkedHashMap<>();

    TinyGptOss(Random r) {
        int q = heads * headDim, kv = kvHeads * headDim;
        put("token_embd.weight", Seeded.gaussian(r, vocab * dim, 1), vocab, dim);
        put("output_norm.weight", gains(r, dim), dim);
        matrix(r, "output.weight", vocab, dim);
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            put(b + "attn_norm.weight", gains(r, dim), dim);
            matrix(r, b + "attn_q.weight", q, dim);
            matrix(r, b + "attn_k.weight", kv, dim);
            matrix(r, b + "attn_v.weight", kv, dim);
            matrix(r, b + "attn_output.weight", dim, q);
            put(b + "attn_q.bias", Seeded.gaussian(r, q, 0.5), q);
            put(b + "attn_k.bias", Seeded.gaussian(r, kv, 0.5), kv);
            put(b + "attn_v.bias", Seeded.gaussian(r, kv, 0.5), kv);
            put(b + "attn_output.bias", Seeded.gaussian(r, dim, 0.5), dim);
            put(b + "attn_sinks.weight", Seeded.gaussian(r, heads, 1.5), heads);
            put(b + "post_attention_norm.weight", gains(r, dim), dim);
            matrix(r, b + "ffn_gate_inp.weight", experts, dim);
            put(b + "ffn_gate_inp.bias", Seeded.gaussian(r, experts, 0.5), experts);
            mxfp4(r, b + "ffn_gate_exps.weight", ffn, dim);
            mxfp4(r, b + "ffn_up_exps.weight", ffn, dim);
            mxfp4(r, b + "ffn_down_exps.weight", dim, ffn);
            // large gate/up biases so that the clamp at 7 is reached now and then
            put(b + "ffn_gate_exps.bias", Seeded.gaussian(r, experts * ffn, 3), experts, ffn);
            put(b + "ffn_up_exps.bias", Seeded.gaussian(r, experts * ffn, 3), experts, ffn);
            put(b + "ffn_down_exps.bias", Seeded.gaussian(r, experts * dim, 0.5), experts, dim);
        }
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

    /** Random codes with scales 2^-6 ... 2^-4 (values up to 6 · 2^-4), for {@code experts} matrices [rows, cols]. */
    private void mxfp4(Random r, String name, int rows, int cols) {
        int n = experts * rows * cols;
        int[] c = new int[n];
        byte[] s = new byte[n / 32];
        float[] v = new float[n];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (121 + r.nextInt(3));
        }
        for (int i = 0; i < n; i++) {
            c[i] = r.nextInt(16);
            v[i] = (float) (FP4[c[i]] * Math.pow(2, (s[i / 32] & 0xFF) - 127));
        }
        codes.put(name, c);
        scales.put(name, s);
        put(name, v, experts, rows, cols);
    }

    private void put(String name, float[] values, long... shape) {
        weights.put(name, values);
        shapes.put(name, shape);
    }

    /** ggml's MXFP4 bytes of an expert tensor: per block the scale, then byte j = code j | code (j + 16) << 4. */
    private byte[] ggmlBlocks(String name) {
        int[] c = codes.get(name);
        byte[] s = scales.get(name);
        byte[] out = new byte[s.length * 17];
        for (int blk = 0; blk < s.length; blk++) {
            out[blk * 17] = s[blk];
            for (int j = 0; j < 16; j++) {
                out[blk * 17 + 1 + j] = (byte) (c[blk * 32 + j] | c[blk * 32 + j + 16] << 4);
            }
        }
        return out;
    }

    /** Writes the GGUF file as llama.cpp's converter would, experts as MXFP4 (or F32 if {@code f32Experts}). */
    Path writeGguf(Path file, boolean f32Experts, Consumer<GgufWriter> extra) throws IOException {
        String a = "gpt-oss";
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", a);
        w.putString("general.name", "panamax tiny gpt-oss");
        w.putUInt32(a + ".context_length", context);
        w.putUInt32(a + ".embedding_length", dim);
        w.putUInt32(a + ".block_count", layers);
        w.putUInt32(a + ".feed_forward_length", ffn);
        w.putUInt32(a + ".expert_feed_forward_length", ffn);
        w.putUInt32(a + ".attention.head_count", heads);
        w.putUInt32(a + ".attention.head_count_kv", kvHeads);
        w.putUInt32(a + ".attention.key_length", headDim);
        w.putUInt32(a + ".attention.value_length", headDim);
        w.putUInt32(a + ".attention.sliding_window", window);
        w.putUInt32(a + ".rope.dimension_count", headDim);
        w.putFloat32(a + ".rope.freq_base", (float) theta);
        w.putString(a + ".rope.scaling.type", "yarn");
        w.putFloat32(a + ".rope.scaling.factor", (float) yarnFactor);
        w.putUInt32(a + ".rope.scaling.original_context_length", yarnOriginal);
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", eps);
        w.putUInt32(a + ".vocab_size", vocab);
        w.putUInt32(a + ".expert_count", experts);
        w.putUInt32(a + ".expert_used_count", used);
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            String name = e.getKey();
            if (codes.containsKey(name) && !f32Experts) {
                w.addTensor(name, DType.MXFP4, shapes.get(name), MemorySegment.ofArray(ggmlBlocks(name)));
            } else {
                w.addTensor(name, DType.F32, shapes.get(name), MemorySegment.ofArray(e.getValue()));
            }
        }
        extra.accept(w);
        w.write(file);
        return file;
    }

    /** config.json with YaRN's {@code truncate} as given (gpt-oss's own config says false). */
    String configJson(boolean truncate) {
        List<String> types = new ArrayList<>();
        for (boolean s : sliding) {
            types.add(s ? "\"sliding_attention\"" : "\"full_attention\"");
        }
        return """
                {"architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss", "hidden_size": %d, "intermediate_size": %d,
                 "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d, "head_dim": %d, "vocab_size": %d,
                 "max_position_embeddings": %d, "rms_norm_eps": %s, "rope_theta": %s, "tie_word_embeddings": false,
                 "num_local_experts": %d, "num_experts_per_tok": %d, "experts_per_token": %d, "attention_bias": true,
                 "sliding_window": %d, "layer_types": [%s], "swiglu_limit": 7.0, "initial_context_length": %d,
                 "rope_scaling": {"beta_fast": 32.0, "beta_slow": 1.0, "factor": %s, "original_max_position_embeddings": %d,
                                  "rope_type": "yarn", "truncate": %s},
                 "quantization_config": {"modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router",
                                         "model.embed_tokens", "lm_head"], "quant_method": "mxfp4"},
                 "torch_dtype": "float32"}
                """.formatted(dim, ffn, layers, heads, kvHeads, headDim, vocab, context, Float.toString(eps), Double.toString(theta),
                experts, used, used, window, String.join(", ", types), yarnOriginal, Double.toString(yarnFactor), yarnOriginal, truncate);
    }

    /** Writes the Hugging Face checkpoint as openai/gpt-oss-20b stores it: MXFP4 experts, everything else F32 here. */
    Path writeHf(Path dir, boolean truncate) throws IOException {
        return writeHf(dir, truncate, false);
    }

    /**
     * As {@link #writeHf(Path, boolean)}; with {@code dense}, the experts as dequantized conversions store them:
     * {@code gate_up_proj [E, dim, 2F]} (gate and up columns interleaved) and {@code down_proj [E, F, dim]}, F32.
     */
    Path writeHf(Path dir, boolean truncate, boolean dense) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson(truncate));
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            f32(w, arena, "model.embed_tokens.weight", "token_embd.weight");
            f32(w, arena, "model.norm.weight", "output_norm.weight");
            f32(w, arena, "lm_head.weight", "output.weight");
            for (int l = 0; l < layers; l++) {
                String b = "blk." + l + ".", h = "model.layers." + l + ".";
                f32(w, arena, h + "input_layernorm.weight", b + "attn_norm.weight");
                f32(w, arena, h + "post_attention_layernorm.weight", b + "post_attention_norm.weight");
                for (String[] p : new String[][] {{"q", "attn_q"}, {"k", "attn_k"}, {"v", "attn_v"}, {"o", "attn_output"}}) {
                    f32(w, arena, h + "self_attn." + p[0] + "_proj.weight", b + p[1] + ".weight");
                    f32(w, arena, h + "self_attn." + p[0] + "_proj.bias", b + p[1] + ".bias");
                }
                f32(w, arena, h + "self_attn.sinks", b + "attn_sinks.weight");
                f32(w, arena, h + "mlp.router.weight", b + "ffn_gate_inp.weight");
                f32(w, arena, h + "mlp.router.bias", b + "ffn_gate_inp.bias");
                if (dense) {
                    float[] g = weights.get(b + "ffn_gate_exps.weight"), u = weights.get(b + "ffn_up_exps.weight");
                    float[] d = weights.get(b + "ffn_down_exps.weight");
                    float[] gateUpW = new float[experts * dim * 2 * ffn], downW = new float[experts * ffn * dim];
                    for (int e = 0; e < experts; e++) {
                        for (int i = 0; i < ffn; i++) {
                            for (int c = 0; c < dim; c++) {
                                gateUpW[(e * dim + c) * 2 * ffn + 2 * i] = g[(e * ffn + i) * dim + c];
                                gateUpW[(e * dim + c) * 2 * ffn + 2 * i + 1] = u[(e * ffn + i) * dim + c];
                                downW[(e * ffn + i) * dim + c] = d[(e * dim + c) * ffn + i];
                            }
                        }
                    }
                    w.add(h + "mlp.experts.gate_up_proj", Tensor.of(arena, gateUpW, experts, dim, 2L * ffn));
                    w.add(h + "mlp.experts.down_proj", Tensor.of(arena, downW, experts, ffn, dim));
                } else {
                    hfBlocks(w, h + "mlp.experts.gate_up_proj", 2 * ffn, dim, b + "ffn_gate_exps.weight", b + "ffn_up_exps.weight");
                    hfBlocks(w, h + "mlp.experts.down_proj", dim, ffn, b + "ffn_down_exps.weight", null);
                }
                float[] gate = weights.get(b + "ffn_gate_exps.bias"), up = weights.get(b + "ffn_up_exps.bias");
                float[] gateUp = new float[2 * gate.length];
                for (int i = 0; i < gate.length; i++) {
                    gateUp[2 * i] = gate[i];
                    gateUp[2 * i + 1] = up[i];
                }
                w.add(h + "mlp.experts.gate_up_proj_bias", Tensor.of(arena, gateUp, experts, 2L * ffn));
                f32(w, arena, h + "mlp.experts.down_proj_bias", b + "ffn_down_exps.bias");
            }
            w.write(dir.resolve("model.safetensors"));
        }
        return dir;
    }

    private void f32(SafetensorsWriter w, Arena arena, String hf, String gguf) {
        w.add(hf, Tensor.of(arena, weights.get(gguf), shapes.get(gguf)));
    }

    /**
     * {@code name_blocks} U8 [E, rows, cols/32, 16] (byte j: code 2j low, code 2j+1 high) and {@code name_scales}
     * U8 [E, rows, cols/32]; with two sources, their rows interleaved (row 2i of {@code a}'s row i, 2i+1 of {@code b}'s).
     */
    private void hfBlocks(SafetensorsWriter w, String name, int rows, int cols, String a, String b) {
        int per = b == null ? 1 : 2, srcRows = rows / per, groups = cols / 32;
        byte[] blocks = new byte[experts * rows * groups * 16], sc = new byte[experts * rows * groups];
        for (int e = 0; e < experts; e++) {
            for (int r = 0; r < rows; r++) {
                String src = r % per == 0 ? a : b;
                int[] c = codes.get(src);
                byte[] s = scales.get(src);
                int srcRow = e * srcRows + r / per, dstRow = e * rows + r;
                for (int g = 0; g < groups; g++) {
                    sc[dstRow * groups + g] = s[srcRow * groups + g];
                    for (int j = 0; j < 16; j++) {
                        int k = srcRow * cols + g * 32 + 2 * j;
                        blocks[(dstRow * groups + g) * 16 + j] = (byte) (c[k] | c[k + 1] << 4);
                    }
                }
            }
        }
        w.addRaw(name + "_blocks", SafetensorsDType.U8, new long[] {experts, rows, groups, 16}, MemorySegment.ofArray(blocks));
        w.addRaw(name + "_scales", SafetensorsDType.U8, new long[] {experts, rows, groups}, MemorySegment.ofArray(sc));
    }
}
