package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sliding-window layers at long prompts against llama.cpp: tiny Gemma 2 / Gemma 3 / gpt-oss GGUF files
 * ({@link SlidingWindowLlamaCpp#cases}: windows of 8 and 32 under prompts of 3.5 and 3.1 windows, F32,
 * Q8_0 and Q4_K_M) against llama.cpp v0.5.0's logits after the prompt, its 8 greedy tokens and their
 * top-2 margins ({@code sliding-window/*.llama-ref.txt}, printed by {@code /work/tools/llama-ref/run.sh
 * FILE --tokens PROMPT --kv f32 --n 8 --ctx N --threads 1}, flash attention off, through
 * {@link SlidingWindowLlamaCpp#main}); the fourth line is llama.cpp's own largest logit change when its
 * KV cache goes from F32 to F16 ({@code --kv f16}).
 *
 * <p>Rule (docs/models.md): our logits within twice that change of llama.cpp's; greedy tokens identical
 * while llama.cpp's top-2 margin exceeds the bound (a near-tie may go either way, and after it the
 * continuations differ).
 */
class SlidingWindowLlamaCppTest {
    /** Shared by the cases: the files are written once ({@link SlidingWindowLlamaCpp#cases} keeps existing ones). */
    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"gemma2-w8-f32", "gemma2-w8-q8_0", "gemma2-w8-q4_k_m", "gemma3-w8-f32", "gemma3-w8-q8_0",
            "gemma3-w8-q4_k_m", "gemma3-w32-f32", "gemma3-w32-q8_0", "gemma3-w32-q4_k_m", "gpt-oss-w8-f32", "gpt-oss-w8-q8_0",
            "gpt-oss-w8-q4_k_m"})
    void longPromptsOverSlidingWindowsGiveLlamaCppsLogitsAndGreedyTokens(String name) throws Exception {
        SlidingWindowLlamaCpp.Case c = SlidingWindowLlamaCpp.cases(dir).stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow();
        String[] ref = read("sliding-window/" + name + ".llama-ref.txt");
        float[] expected = floats(ref[0]);
        int[] greedy = java.util.Arrays.stream(ref[1].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        float[] margins = floats(ref[2]);
        double bound = 2 * Double.parseDouble(ref[3].trim());
        Ours ours = panamax(c);
        assertEquals(expected.length, ours.logits().length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], ours.logits()[i], bound, name + " logit " + i);
        }
        for (int s = 0; s < greedy.length && margins[s] > bound; s++) {
            assertEquals(greedy[s], ours.ids()[s], name + " greedy token " + s + " (llama.cpp margin " + margins[s] + ")");
        }
    }

    /** Panamax's logits after the prompt and its greedy continuation. */
    record Ours(float[] logits, int[] ids) {}

    /** Runs {@code c} on the cpu backend with an F32 cache, the prompt in batches of 8 (a window's worth). */
    static Ours panamax(SlidingWindowLlamaCpp.Case c) {
        try (Ops ops = open("cpu"); Model model = Model.open(c.file(), ops, new LoadOptions(8, DType.F32, c.context()))) {
            float[] logits = model.transformer().forward(c.prompt(), 0);
            float[] first = logits.clone();
            int[] ids = new int[SlidingWindowLlamaCpp.GREEDY];
            for (int s = 0; s < ids.length; s++) {
                int best = 0;
                for (int i = 1; i < logits.length; i++) {
                    best = logits[i] > logits[best] ? i : best;
                }
                ids[s] = best;
                logits = model.transformer().forward(new int[] {best}, c.prompt().length + s);
            }
            return new Ours(first, ids);
        }
    }

    private static String[] read(String resource) throws IOException {
        try (InputStream in = SlidingWindowLlamaCppTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing test fixture " + resource);
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            assertEquals(4, lines.length, resource);
            return lines;
        }
    }

    private static float[] floats(String line) {
        String[] p = line.trim().split(" ");
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Float.parseFloat(p[i]);
        }
        return out;
    }
}
