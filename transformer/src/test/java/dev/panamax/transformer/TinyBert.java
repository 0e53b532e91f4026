package dev.panamax.transformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small random BERT ({@code BertModel}) with a WordPiece vocabulary of its own, written as llama.cpp's
 * converter writes it (GGUF: phantom-space tokens, {@code tokenizer.ggml.model = bert}) and as
 * transformers and sentence-transformers save it ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}, optionally {@code modules.json} + {@code 1_Pooling/config.json}). Tensor names
 * on both sides are this fixture's own table, from llama.cpp's {@code llama-arch.cpp} and
 * {@code modeling_bert.py}.
 */
final class TinyBert {
    /** The WordPiece vocabulary in Hugging Face's form ({@code ##} marks a continuation). */
    static final List<String> VOCAB = vocabulary();
    static final int PAD = 0, UNK = 1, CLS = 2, SEP = 3, MASK = 4, SPECIALS = 5;

    private TinyBert() {
    }

    private static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        v.addAll(List.of("the", "cat", "sat", "on", "a", "dog", "mat", ".", ",", "!", "##s", "##ing", "##at"));
        for (char c = 'a'; c <= 'z'; c++) {
            for (String piece : new String[] {String.valueOf(c), "##" + c}) {
                if (!v.contains(piece)) {
                    v.add(piece);
                }
            }
        }
        return List.copyOf(v);
    }

    /**
     * Dim {@code dim}, {@code heads} heads of dim / heads, ffn {@code ffn}, {@code layers} blocks, {@code context}
     * learned positions, 2 token types; {@code poolingType} 0 writes no {@code bert.pooling_type}.
     */
    static TinyFamilyModel model(Random r, int dim, int ffn, int layers, int heads, int context, int poolingType) {
        int vocab = VOCAB.size();
        TinyFamilyModel m = new TinyFamilyModel("bert", "bert", dim, ffn, layers, heads, heads, vocab, context, false, r);
        m.embedding("embeddings.word_embeddings.weight");
        m.put("position_embd.weight", "embeddings.position_embeddings.weight", dev.panamax.tensor.testing.Seeded.gaussian(r,
                context * dim, 0.5), context, dim);
        m.put("token_types.weight", "embeddings.token_type_embeddings.weight", dev.panamax.tensor.testing.Seeded.gaussian(r,
                2 * dim, 0.5), 2, dim);
        m.gain("token_embd_norm.weight", "embeddings.LayerNorm.weight", dim)
                .vector("token_embd_norm.bias", "embeddings.LayerNorm.bias", dim, 0.2);
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".", h = "encoder.layer." + l + ".";
            for (String[] p : new String[][] {{"attn_q", "attention.self.query"}, {"attn_k", "attention.self.key"},
                    {"attn_v", "attention.self.value"}, {"attn_output", "attention.output.dense"}}) {
                m.matrix(b + p[0] + ".weight", h + p[1] + ".weight", dim, dim).vector(b + p[0] + ".bias", h + p[1] + ".bias", dim, 0.5);
            }
            m.gain(b + "attn_output_norm.weight", h + "attention.output.LayerNorm.weight", dim)
                    .vector(b + "attn_output_norm.bias", h + "attention.output.LayerNorm.bias", dim, 0.2);
            m.matrix(b + "ffn_up.weight", h + "intermediate.dense.weight", ffn, dim)
                    .vector(b + "ffn_up.bias", h + "intermediate.dense.bias", ffn, 0.5);
            m.matrix(b + "ffn_down.weight", h + "output.dense.weight", dim, ffn)
                    .vector(b + "ffn_down.bias", h + "output.dense.bias", dim, 0.5);
            m.gain(b + "layer_output_norm.weight", h + "output.LayerNorm.weight", dim)
                    .vector(b + "layer_output_norm.bias", h + "output.LayerNorm.bias", dim, 0.2);
        }
        m.metadata.add(w -> {
            w.putFloat32("bert.attention.layer_norm_epsilon", m.eps);
            w.putBool("bert.attention.causal", false);
            if (poolingType > 0) {
                w.putUInt32("bert.pooling_type", poolingType);
            }
            List<String> tokens = new ArrayList<>();
            int[] types = new int[vocab];
            for (int i = 0; i < vocab; i++) {
                String t = VOCAB.get(i);
                tokens.add(i < SPECIALS ? t : t.startsWith("##") ? t.substring(2) : "\u2581" + t); // llama.cpp's phantom space
                types[i] = i < SPECIALS ? 3 : 1;
            }
            w.putString("tokenizer.ggml.model", "bert");
            w.putStringArray("tokenizer.ggml.tokens", tokens);
            w.putInt32Array("tokenizer.ggml.token_type", types);
            w.putUInt32("tokenizer.ggml.token_type_count", 2);
            w.putUInt32("tokenizer.ggml.padding_token_id", PAD);
            w.putUInt32("tokenizer.ggml.unknown_token_id", UNK);
            w.putUInt32("tokenizer.ggml.cls_token_id", CLS);
            w.putUInt32("tokenizer.ggml.bos_token_id", CLS); // llama.cpp's WPM tokenizer adds its BOS, the [CLS]
            w.putUInt32("tokenizer.ggml.seperator_token_id", SEP);
            w.putUInt32("tokenizer.ggml.mask_token_id", MASK);
        });
        m.config.add("\"layer_norm_eps\": " + m.eps);
        m.config.add("\"hidden_act\": \"gelu\"");
        m.config.add("\"type_vocab_size\": 2");
        m.config.add("\"position_embedding_type\": \"absolute\"");
        return m;
    }

    /** The checkpoint directory with {@code tokenizer.json}, and sentence-transformers' pooling module if {@code pooling} is given. */
    static Path writeHf(TinyFamilyModel m, Path dir, String pooling) throws IOException {
        m.writeHf(dir);
        StringBuilder vocab = new StringBuilder();
        StringBuilder added = new StringBuilder();
        for (int i = 0; i < VOCAB.size(); i++) {
            vocab.append(i == 0 ? "" : ", ").append('"').append(VOCAB.get(i)).append("\": ").append(i);
            if (i < SPECIALS) {
                added.append(i == 0 ? "" : ", ").append("{\"id\": ").append(i).append(", \"content\": \"").append(VOCAB.get(i))
                        .append("\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false,"
                                + " \"special\": true}");
            }
        }
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [%s],
                 "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                                "strip_accents": null, "lowercase": true},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                              {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                   "pair": [],
                   "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [%d], "tokens": ["[CLS]"]},
                                      "[SEP]": {"id": "[SEP]", "ids": [%d], "tokens": ["[SEP]"]}}},
                 "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                           "max_input_chars_per_word": 100, "vocab": {%s}}}
                """.formatted(added, CLS, SEP, vocab));
        if (pooling != null) {
            Files.writeString(dir.resolve("modules.json"), """
                    [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                     {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                     {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                    """);
            Files.createDirectories(dir.resolve("1_Pooling"));
            Files.writeString(dir.resolve("1_Pooling/config.json"), """
                    {"word_embedding_dimension": %d, "pooling_mode_cls_token": %b, "pooling_mode_mean_tokens": %b,
                     "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
                    """.formatted(m.dim, pooling.equals("cls"), pooling.equals("mean")));
        }
        return dir;
    }
}
