package dev.panamax.transformer.chat;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small random Llama with a SentencePiece vocabulary and, optionally, a chat template in its
 * metadata, for chat tests: dim 32, 2 layers, 4 heads over 2 KV heads, context 512. The vocabulary
 * has the control tokens {@code <unk> <s> </s> <|im_start|> <|im_end|>}, the 256 byte tokens and
 * letter pieces. The classifier rows of control and byte tokens are zero, so greedy decoding (whose
 * best logit among ~80 random ones is positive for any sane seed) always picks letters and never ends
 * a reply by itself: replies run to the token limit and are plain text.
 */
public final class ChatModels {
    /** A ChatML template as models ship it in {@code tokenizer.chat_template}. */
    public static final String CHATML_JINJA = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
            + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final int DIM = 32, FFN = 64, LAYERS = 2, HEADS = 4, KV_HEADS = 2, CONTEXT = 512;
    private static final List<String> CONTROL = List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>");

    private ChatModels() {
    }

    /** Writes the model to {@code file}, with {@code chatTemplate} as {@code tokenizer.chat_template} unless null. */
    public static Path write(Path file, Random r, String chatTemplate) throws IOException {
        List<String> tokens = new ArrayList<>(CONTROL);
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        int firstPiece = tokens.size();
        tokens.add("▁");
        for (char c = 'a'; c <= 'z'; c++) {
            tokens.add(String.valueOf(c));
            tokens.add("▁" + c);
            tokens.add(String.valueOf(Character.toUpperCase(c)));
        }
        int vocab = tokens.size();
        float[] scores = new float[vocab];
        int[] typeIds = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            typeIds[i] = i < firstPiece ? types.get(i) : 1;
            scores[i] = i < firstPiece ? 0 : -(i - firstPiece);
        }

        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "panamax chat fixture");
        w.putUInt32("llama.context_length", CONTEXT);
        w.putUInt32("llama.embedding_length", DIM);
        w.putUInt32("llama.block_count", LAYERS);
        w.putUInt32("llama.feed_forward_length", FFN);
        w.putUInt32("llama.attention.head_count", HEADS);
        w.putUInt32("llama.attention.head_count_kv", KV_HEADS);
        w.putUInt32("llama.rope.dimension_count", DIM / HEADS);
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putFloat32Array("tokenizer.ggml.scores", scores);
        w.putInt32Array("tokenizer.ggml.token_type", typeIds);
        w.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
        if (chatTemplate != null) {
            w.putString("tokenizer.chat_template", chatTemplate);
        }
        int kv = KV_HEADS * (DIM / HEADS);
        tensor(w, "token_embd.weight", Seeded.gaussian(r, vocab * DIM, 1), vocab, DIM);
        tensor(w, "output_norm.weight", gains(r), DIM);
        float[] output = Seeded.gaussian(r, vocab * DIM, 1 / Math.sqrt(DIM));
        java.util.Arrays.fill(output, 0, firstPiece * DIM, 0f); // control and byte tokens: logit 0
        tensor(w, "output.weight", output, vocab, DIM);
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            tensor(w, b + "attn_norm.weight", gains(r), DIM);
            matrix(w, r, b + "attn_q.weight", DIM, DIM);
            matrix(w, r, b + "attn_k.weight", kv, DIM);
            matrix(w, r, b + "attn_v.weight", kv, DIM);
            matrix(w, r, b + "attn_output.weight", DIM, DIM);
            tensor(w, b + "ffn_norm.weight", gains(r), DIM);
            matrix(w, r, b + "ffn_gate.weight", FFN, DIM);
            matrix(w, r, b + "ffn_up.weight", FFN, DIM);
            matrix(w, r, b + "ffn_down.weight", DIM, FFN);
        }
        w.write(file);
        return file;
    }

    private static float[] gains(Random r) {
        float[] g = Seeded.gaussian(r, DIM, 0.2);
        for (int i = 0; i < g.length; i++) {
            g[i] += 1;
        }
        return g;
    }

    private static void matrix(GgufWriter w, Random r, String name, int rows, int cols) {
        tensor(w, name, Seeded.gaussian(r, rows * cols, 1 / Math.sqrt(cols)), rows, cols);
    }

    private static void tensor(GgufWriter w, String name, float[] values, long... shape) {
        w.addTensor(name, DType.F32, shape, MemorySegment.ofArray(values));
    }
}
