package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The fixed-seed DeepSeek2 files compared with llama.cpp ({@link DeepSeek2LlamaCppTest}, docs/models.md):
 * {@code main(dir)} writes them for {@code /work/tools/llama-ref/run.sh}.
 */
final class DeepSeek2LlamaCppFixture {
    private DeepSeek2LlamaCppFixture() {
    }

    /** kind: "split" (attn_k_b / attn_v_b, q LoRA 96, YaRN ×4) or "legacy" (attn_kv_b, no q LoRA, no YaRN). */
    static TinyDeepSeek model(String kind) {
        return kind.equals("split") ? new TinyDeepSeek(new Random(14), 96, 4, true) : new TinyDeepSeek(new Random(15), 0, 1, true);
    }

    static Path write(String kind, Path dir) throws IOException {
        TinyDeepSeek m = model(kind);
        return m.writeGguf(dir.resolve("deepseek2-" + kind + ".gguf"), kind.equals("split"), vocabulary(m.vocab));
    }

    /** A SentencePiece vocabulary of {@code n} tokens, which llama.cpp needs to load a model (the tests pass ids). */
    static Consumer<GgufWriter> vocabulary(int n) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<0x0A>"));
        while (tokens.size() < n) {
            tokens.add("t" + tokens.size());
        }
        int[] types = new int[n];
        Arrays.fill(types, 1);
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        types[3] = 6;
        return w -> w.putString("tokenizer.ggml.model", "llama").putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", new float[n]).putInt32Array("tokenizer.ggml.token_type", types);
    }

    public static void main(String[] args) throws IOException {
        for (String kind : List.of("split", "legacy")) {
            System.out.println(write(kind, Path.of(args[0])));
        }
    }
}
