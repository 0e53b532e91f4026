package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
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
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A small random Gemma (1, 2 or 3) for tests: weights under transformers' names with Hugging Face's
 * values (a norm holds {@code w} of {@code 1 + w}), written as a Hugging Face checkpoint
 * (Gemma3ForCausalLM or Gemma3ForConditionalGeneration layout) or as GGUF the way llama.cpp's
 * converter writes it (its own names, {@code w + 1} in every norm, no {@code lm_head}). The
 * hyper-parameters are fields so that a test can make every feature matter in a few tokens: a
 * window shorter than the prompt, soft-caps that bite, a head dimension that is not dim / heads.
 */
final class TinyGemma {
    enum Kind { GEMMA, GEMMA2, GEMMA3 }

    final Kind kind;
    final int dim, ffn, layers, heads, kvHeads, headDim, vocab, context;
    final boolean tied;
    final float eps = 1e-6f;
    double theta = 10000;
    /** Gemma 3: the base of the sliding layers' RoPE; Gemma 2 uses {@link #theta} for both. */
    double localTheta = 10000;
    /** Gemma 3: linear RoPE scaling of the global layers (1: none). */
    double ropeLinearFactor = 1;
    /** Gemma 2/3: positions a sliding layer sees (0: no sliding layers). */
    int window;
    /** Gemma 2/3: layer l slides iff {@code (l + 1) % pattern != 0} (Gemma 2: 2, Gemma 3: 6). */
    int pattern;
    float attentionSoftCap, finalSoftCap;
    /** Gemma 2/3's query_pre_attn_scalar: attention logits scale by its -1/2 power. */
    double queryPreAttnScalar;
    /** transformers' names to values, shapes outermost first. */
    final Map<String, float[]> weights = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    TinyGemma(Kind kind, int dim, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab, int context, boolean tied) {
        this.kind = kind;
        this.dim = dim;
        this.ffn = ffn;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.vocab = vocab;
        this.context = context;
        this.tied = tied;
        this.queryPreAttnScalar = headDim;
        this.pattern = kind == Kind.GEMMA2 ? 2 : 6;
    }

    /** Gemma 1: dim 64, 3 layers, 4 query heads over 1 KV head of 24 (multi-query, as Gemma 2B), vocab 100, tied. */
    static TinyGemma gemma(Random r) {
        return new TinyGemma(Kind.GEMMA, 64, 96, 3, 4, 1, 24, 100, 32, true).fill(r);
    }

    /**
     * Gemma 2: 3 layers (sliding, full, sliding) with a window of 4 positions, attention soft-cap 2
     * and final soft-cap 2 (both within the range of the O(1) logits, so tanh bends them), 4 heads over 2 KV heads of 24.
     */
    static TinyGemma gemma2(Random r) {
        TinyGemma m = new TinyGemma(Kind.GEMMA2, 64, 96, 3, 4, 2, 24, 100, 32, true);
        m.window = 4;
        m.attentionSoftCap = 2;
        m.finalSoftCap = 2;
        return m.fill(r);
    }

    /**
     * Gemma 3: 7 layers, the sixth full and the others sliding (the default pattern of 6) with a
     * window of 4, per-head Q/K norms, global RoPE base 1e6 with linear scaling 8 (as 4B and larger),
     * local base 10000, no soft-caps, 4 heads over 2 KV heads of 24.
     */
    static TinyGemma gemma3(Random r, boolean tied) {
        TinyGemma m = new TinyGemma(Kind.GEMMA3, 64, 96, 7, 4, 2, 24, 100, 32, tied);
        m.window = 4;
        m.theta = 1e6;
        m.ropeLinearFactor = 8;
        return m.fill(r);
    }

    /** Whether layer {@code l} attends within the window. */
    boolean sliding(int l) {
        return kind != Kind.GEMMA && window > 0 && (l + 1) % pattern != 0;
    }

    /** Weights ~ N(0, 1/in) so every layer's outputs stay O(1); norm w ~ N(0, 0.2²) (gain 1 + w); embeddings N(0, 1/dim). */
    TinyGemma fill(Random r) {
        int q = heads * headDim, kv = kvHeads * headDim;
        // N(0, 1/dim): times sqrt(dim), the stream starts O(1), as in the real models, and the blocks matter
        put("model.embed_tokens.weight", Seeded.gaussian(r, vocab * dim, 1 / Math.sqrt(dim)), vocab, dim);
        put("model.norm.weight", Seeded.gaussian(r, dim, 0.2), dim);
        if (!tied) {
            matrix(r, "lm_head.weight", vocab, dim);
        }
        for (int l = 0; l < layers; l++) {
            String b = "model.layers." + l + ".";
            put(b + "input_layernorm.weight", Seeded.gaussian(r, dim, 0.2), dim);
            matrix(r, b + "self_attn.q_proj.weight", q, dim);
            matrix(r, b + "self_attn.k_proj.weight", kv, dim);
            matrix(r, b + "self_attn.v_proj.weight", kv, dim);
            matrix(r, b + "self_attn.o_proj.weight", dim, q);
            if (kind == Kind.GEMMA3) {
                put(b + "self_attn.q_norm.weight", Seeded.gaussian(r, headDim, 0.2), headDim);
                put(b + "self_attn.k_norm.weight", Seeded.gaussian(r, headDim, 0.2), headDim);
            }
            put(b + "post_attention_layernorm.weight", Seeded.gaussian(r, dim, 0.2), dim);
            if (kind != Kind.GEMMA) {
                put(b + "pre_feedforward_layernorm.weight", Seeded.gaussian(r, dim, 0.2), dim);
                put(b + "post_feedforward_layernorm.weight", Seeded.gaussian(r, dim, 0.2), dim);
            }
            matrix(r, b + "mlp.gate_proj.weight", ffn, dim);
            matrix(r, b + "mlp.up_proj.weight", ffn, dim);
            matrix(r, b + "mlp.down_proj.weight", dim, ffn);
        }
        return this;
    }

    private void matrix(Random r, String name, int rows, int cols) {
        put(name, Seeded.gaussian(r, rows * cols, 1 / Math.sqrt(cols)), rows, cols);
    }

    private void put(String name, float[] values, long... shape) {
        weights.put(name, values);
        shapes.put(name, shape);
    }

    String architecture() {
        return switch (kind) {
            case GEMMA -> "gemma";
            case GEMMA2 -> "gemma2";
            case GEMMA3 -> "gemma3";
        };
    }

    /** llama.cpp's name of a transformers tensor (this test's own table, independent of the production one). */
    String ggufName(String hf) {
        switch (hf) {
            case "model.embed_tokens.weight" -> { return "token_embd.weight"; }
            case "model.norm.weight" -> { return "output_norm.weight"; }
            case "lm_head.weight" -> { return "output.weight"; }
            default -> { }
        }
        String[] p = hf.split("\\.");
        String part = hf.substring(("model.layers." + p[2] + ".").length(), hf.length() - ".weight".length());
        String gguf = switch (part) {
            case "input_layernorm" -> "attn_norm";
            // Gemma 1's is Llama's pre-FFN norm; Gemma 2/3's follows attention
            case "post_attention_layernorm" -> kind == Kind.GEMMA ? "ffn_norm" : "post_attention_norm";
            case "pre_feedforward_layernorm" -> "ffn_norm";
            case "post_feedforward_layernorm" -> "post_ffw_norm";
            case "self_attn.q_proj" -> "attn_q";
            case "self_attn.k_proj" -> "attn_k";
            case "self_attn.v_proj" -> "attn_v";
            case "self_attn.o_proj" -> "attn_output";
            case "self_attn.q_norm" -> "attn_q_norm";
            case "self_attn.k_norm" -> "attn_k_norm";
            case "mlp.gate_proj" -> "ffn_gate";
            case "mlp.up_proj" -> "ffn_up";
            case "mlp.down_proj" -> "ffn_down";
            default -> throw new IllegalArgumentException("no GGUF name for " + hf);
        };
        return "blk." + p[2] + "." + gguf + ".weight";
    }

    /** Writes the model as llama.cpp's converter would (F32), without a tokenizer. */
    Path writeGguf(Path file) throws IOException {
        return writeGguf(file, false);
    }

    /**
     * Writes the model as llama.cpp's converter would: {@code w + 1} in every norm (rounded to float, as
     * the converter's float32 addition), {@code <arch>.*} metadata; with {@code vocabulary}, a
     * SentencePiece vocabulary of {@link #vocab} tokens (Gemma's special ids: pad 0, eos 1, bos 2, unk 3,
     * then the 256 byte tokens and filler pieces) so that llama.cpp loads it.
     */
    Path writeGguf(Path file, boolean vocabulary) throws IOException {
        String a = architecture();
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", a);
        w.putString("general.name", "panamax tiny " + a);
        w.putUInt32(a + ".context_length", context);
        w.putUInt32(a + ".embedding_length", dim);
        w.putUInt32(a + ".block_count", layers);
        w.putUInt32(a + ".feed_forward_length", ffn);
        w.putUInt32(a + ".attention.head_count", heads);
        w.putUInt32(a + ".attention.head_count_kv", kvHeads);
        w.putUInt32(a + ".attention.key_length", headDim);
        w.putUInt32(a + ".attention.value_length", headDim);
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", eps);
        if (theta != 10000) {
            w.putFloat32(a + ".rope.freq_base", (float) theta);
        }
        if (kind == Kind.GEMMA2) {
            w.putFloat32(a + ".attn_logit_softcapping", attentionSoftCap);
            w.putFloat32(a + ".final_logit_softcapping", finalSoftCap);
            w.putUInt32(a + ".attention.sliding_window", window);
        }
        if (kind == Kind.GEMMA3) {
            if (window > 0) {
                w.putUInt32(a + ".attention.sliding_window", window);
            }
            if (pattern != 6) {
                w.putUInt32(a + ".attention.sliding_window_pattern", pattern);
            }
            if (finalSoftCap != 0) {
                w.putFloat32(a + ".final_logit_softcapping", finalSoftCap);
            }
            if (ropeLinearFactor != 1) {
                w.putString(a + ".rope.scaling.type", "linear");
                w.putFloat32(a + ".rope.scaling.factor", (float) ropeLinearFactor);
            }
        }
        if (vocabulary) {
            putVocabulary(w);
        } else {
            w.putUInt32(a + ".vocab_size", vocab);
        }
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            float[] v = e.getValue();
            if (e.getKey().endsWith("norm.weight")) {
                v = v.clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] += 1;
                }
            }
            w.addTensor(ggufName(e.getKey()), DType.F32, shapes.get(e.getKey()), MemorySegment.ofArray(v));
        }
        w.write(file);
        return file;
    }

    private void putVocabulary(GgufWriter w) {
        List<String> tokens = new ArrayList<>(List.of("<pad>", "</s>", "<s>", "<unk>"));
        List<Integer> types = new ArrayList<>(List.of(3, 3, 3, 2));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        for (int i = 0; tokens.size() < vocab; i++) {
            tokens.add(i % 2 == 0 ? "▁" + piece(i / 2) : piece(i / 2));
            types.add(1);
        }
        if (tokens.size() != vocab) {
            throw new IllegalStateException("a vocabulary needs at least 260 tokens, the model has " + vocab);
        }
        float[] scores = new float[vocab];
        int[] typeIds = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            typeIds[i] = types.get(i);
            scores[i] = types.get(i) == 1 ? -i : 0;
        }
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putFloat32Array("tokenizer.ggml.scores", scores);
        w.putInt32Array("tokenizer.ggml.token_type", typeIds);
        w.putUInt32("tokenizer.ggml.padding_token_id", 0);
        w.putUInt32("tokenizer.ggml.eos_token_id", 1);
        w.putUInt32("tokenizer.ggml.bos_token_id", 2);
        w.putUInt32("tokenizer.ggml.unknown_token_id", 3);
        w.putBool("tokenizer.ggml.add_space_prefix", false);
    }

    /** Distinct lower-case pieces: a, b, ..., z, aa, ab, ... */
    private static String piece(int i) {
        StringBuilder s = new StringBuilder();
        do {
            s.insert(0, (char) ('a' + i % 26));
            i = i / 26 - 1;
        } while (i >= 0);
        return s.toString();
    }

    /** Writes a Gemma{,2}ForCausalLM / Gemma3ForCausalLM checkpoint (config.json + model.safetensors, F32). */
    Path writeHf(Path dir) throws IOException {
        return writeHf(dir, false, "");
    }

    /**
     * Writes a Hugging Face checkpoint; with {@code conditionalGeneration} (Gemma 3 only) as
     * {@code Gemma3ForConditionalGeneration}: the text model's fields inside {@code text_config},
     * listing only those that differ from Gemma3TextConfig's defaults, and every tensor under
     * {@code language_model.}. {@code extraConfig} (e.g. {@code "layer_types": [...],}) goes into the
     * text model's fields.
     */
    Path writeHf(Path dir, boolean conditionalGeneration, String extraConfig) throws IOException {
        Files.createDirectories(dir);
        String text = textConfig(extraConfig, conditionalGeneration);
        String json = conditionalGeneration
                ? """
                  {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "mm_tokens_per_image": 256,
                   "vision_config": {"hidden_size": 1152, "model_type": "siglip_vision_model", "num_hidden_layers": 27},
                   "text_config": %s, "torch_dtype": "float32"}
                  """.formatted(text)
                : text;
        Files.writeString(dir.resolve("config.json"), json);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            for (Map.Entry<String, float[]> e : weights.entrySet()) {
                String name = conditionalGeneration ? "language_model." + e.getKey() : e.getKey();
                w.add(name, Tensor.of(arena, e.getValue(), shapes.get(e.getKey())));
            }
            if (conditionalGeneration) {
                // a vision tower the text model must ignore
                w.add("vision_tower.vision_model.post_layernorm.weight", Tensor.of(arena, new float[] {1, 2, 3}, 3));
            }
            w.write(dir.resolve("model.safetensors"));
        }
        return dir;
    }

    private String textConfig(String extra, boolean onlyNonDefaults) {
        String type = switch (kind) {
            case GEMMA -> "gemma";
            case GEMMA2 -> "gemma2";
            case GEMMA3 -> "gemma3_text";
        };
        StringBuilder s = new StringBuilder("{").append(extra);
        s.append(String.format(Locale.ROOT, "\"model_type\": \"%s\", \"hidden_size\": %d, \"intermediate_size\": %d, "
                + "\"num_hidden_layers\": %d, \"num_attention_heads\": %d, \"num_key_value_heads\": %d, \"head_dim\": %d, "
                + "\"vocab_size\": %d, \"max_position_embeddings\": %d, \"rope_theta\": %s",
                type, dim, ffn, layers, heads, kvHeads, headDim, vocab, context, theta));
        if (!onlyNonDefaults) { // both are Gemma3TextConfig's defaults
            s.append(String.format(Locale.ROOT, ", \"rms_norm_eps\": %s, \"hidden_activation\": \"gelu_pytorch_tanh\"", eps));
        }
        if (!(onlyNonDefaults && tied)) {
            s.append(", \"tie_word_embeddings\": ").append(tied);
        }
        if (kind == Kind.GEMMA) {
            s.append(", \"hidden_act\": \"gelu\""); // as Gemma 1's configs say; transformers ignores it
        }
        if (kind != Kind.GEMMA) {
            s.append(String.format(Locale.ROOT, ", \"query_pre_attn_scalar\": %s, \"sliding_window\": %d", queryPreAttnScalar, window));
        }
        if (kind == Kind.GEMMA2) {
            s.append(String.format(Locale.ROOT, ", \"attn_logit_softcapping\": %s, \"final_logit_softcapping\": %s",
                    attentionSoftCap, finalSoftCap));
        }
        if (kind == Kind.GEMMA3) {
            s.append(String.format(Locale.ROOT, ", \"rope_local_base_freq\": %s", localTheta));
            if (pattern != 6 || !onlyNonDefaults) {
                s.append(", \"sliding_window_pattern\": ").append(pattern);
            }
            s.append(finalSoftCap != 0 ? ", \"final_logit_softcapping\": " + finalSoftCap : ", \"final_logit_softcapping\": null");
            s.append(attentionSoftCap != 0 ? ", \"attn_logit_softcapping\": " + attentionSoftCap : ", \"attn_logit_softcapping\": null");
            if (ropeLinearFactor != 1) {
                s.append(String.format(Locale.ROOT, ", \"rope_scaling\": {\"factor\": %s, \"rope_type\": \"linear\"}", ropeLinearFactor));
            }
        }
        return s.append("}").toString();
    }
}
