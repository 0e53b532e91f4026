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

    /** The kinds of file: see {@link #model}. */
    static final List<String> KINDS = List.of("split", "legacy", "lite");

    /**
     * kind: "split" (attn_k_b / attn_v_b, q LoRA 96, YaRN ×4), "legacy" (attn_kv_b, no q LoRA, no YaRN)
     * or "lite" (attn_k_b / attn_v_b with DeepSeek-V2-Lite's configuration, {@link TinyDeepSeek#v2Lite}).
     */
    static TinyDeepSeek model(String kind) {
        return switch (kind) {
            case "split" -> new TinyDeepSeek(new Random(14), 96, 4, true);
            case "legacy" -> new TinyDeepSeek(new Random(15), 0, 1, true);
            case "lite" -> TinyDeepSeek.v2Lite(new Random(16), true);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static Path write(String kind, Path dir) throws IOException {
        TinyDeepSeek m = model(kind);
        return m.writeGguf(dir.resolve("deepseek2-" + kind + ".gguf"), !kind.equals("legacy"), vocabulary(m.vocab));
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
        for (String kind : KINDS) {
            System.out.println(write(kind, Path.of(args[0])));
        }
    }
}
