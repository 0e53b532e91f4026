package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.panamax.formats.safetensors.SafetensorsDType;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DeepSeek2 against llama.cpp, and a DeepSeek V3 checkpoint with FP8 weights.
 *
 * <p>The llama.cpp numbers ({@code deepseek2/*.llama-ref.txt}: logits after the prompt, 8 greedy
 * tokens, their top-2 margins) were printed by {@code /work/tools/llama-ref/run.sh FILE --tokens
 * 5,17,100,42,99,7 --kv f32 --n 8 --threads 1} (llama.cpp v0.5.0) on the F32 files
 * {@link DeepSeek2LlamaCppFixture} writes: "split" (attn_k_b / attn_v_b, so llama.cpp runs its
 * absorbed MLA; q LoRA; YaRN ×4) and "legacy" (attn_kv_b, which llama.cpp expands into per-head K
 * and V; no q LoRA); "lite" (attn_k_b / attn_v_b with DeepSeek-V2-Lite's configuration: plain q
 * projection, softmax gating without renormalization, 2 shared experts, YaRN ×40 with mscale 0.707)
 * was printed with flash attention off (llama-ref's {@code cp.flash_attn_type} set to disabled: this
 * build's CPU flash attention rounds K and V to F16 even in an F32 cache, 1e-3 on these logits, and
 * "split" is reproduced within 5e-7 that way). Bound: both sides accumulate in float32 over reductions of at most 512 terms
 * through 3 layers; as in {@link TransformerForwardTest}, 2e-4 of the logit scale (observed 2e-6).
 */
@ExtendWith(Seeded.class)
class DeepSeek2LlamaCppTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"split", "legacy", "lite"})
    void fixedF32FilesAgreeWithLlamaCppPromptAndGreedy(String kind) throws Exception {
        Path file = DeepSeek2LlamaCppFixture.write(kind, dir);
        String[] ref = resource("deepseek2/" + kind + ".llama-ref.txt");
        double[] logits = Arrays.stream(ref[0].trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        int[] greedy = Arrays.stream(ref[1].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        double[] margins = Arrays.stream(ref[2].trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        try (Ops ops = open("cpu"); Model model = Model.open(file, ops, options(DType.F32))) {
            float[] ours = model.transformer().forward(new int[] {5, 17, 100, 42, 99, 7}, 0);
            assertClose(logits, ours, F32_TOLERANCE, kind + " vs llama.cpp");
            for (int s = 0, pos = 6; s < greedy.length; s++) {
                if (margins[s] > 1e-3) { // llama.cpp's margin clears the bound: the same token
                    assertEquals(greedy[s], argmax(ours), kind + " greedy token " + s);
                }
                ours = model.transformer().forward(new int[] {greedy[s]}, pos++);
            }
        }
    }

    @Test
    void hfCheckpointOfTheFixtureGivesTheLogitsOfItsGguf() throws Exception {
        TinyDeepSeek m = DeepSeek2LlamaCppFixture.model("split");
        Path gguf = DeepSeek2LlamaCppFixture.write("split", dir);
        Path hf = m.writeHf(dir.resolve("hf"), DType.F32);
        int[] prompt = {5, 17, 100, 42, 99, 7};
        try (Ops ops = open("cpu"); Model g = Model.open(gguf, ops, options(DType.F32)); Model h = Model.open(hf, ops, options(DType.F32))) {
            float[] a = g.transformer().forward(prompt, 0);
            double[] exact = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                exact[i] = a[i];
            }
            // the two differ only in how kv_b's key half reaches the kernels (stored transposed vs transposed at load)
            assertClose(exact, h.transformer().forward(prompt, 0), 1e-5, "HF vs GGUF");
        }
    }

    /**
     * DeepSeek V3's own checkpoint layout: every {@code *_proj.weight} F8_E4M3 with 128 x 128
     * {@code weight_scale_inv} blocks (the router {@code mlp.gate} and the norms stay wide). The
     * scales are powers of two, so the weights the model gets (FP8 · scale, widened to BF16) are
     * exactly those the float64 oracle sees: the F32 tolerance applies.
     */
    @Test
    void fp8BlockScaledDeepSeekV3CheckpointLoadsAndMatchesFloat64(Random random) throws Exception {
        TinyDeepSeek m = new TinyDeepSeek(random, 24, 1);
        for (Map.Entry<String, float[]> e : m.weights.entrySet()) {
            long[] shape = m.shapes.get(e.getKey());
            if (shape.length >= 2 && TinyDeepSeek.isHfProjection(e.getKey())) {
                int rows = (int) shape[shape.length - 2], cols = (int) shape[shape.length - 1], size = rows * cols;
                for (int s = 0; s < e.getValue().length / size; s++) { // each expert its own matrix
                    float[] one = Arrays.copyOfRange(e.getValue(), s * size, (s + 1) * size);
                    Fp8CheckpointTest.quantize(one, rows, cols, new byte[size]);
                    System.arraycopy(one, 0, e.getValue(), s * size, size);
                }
            }
        }
        Path hf = m.writeHf(dir.resolve("fp8"), DType.F32);
        Path file = hf.resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
        int converted = 0;
        try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofConfined()) {
            for (String name : f.tensorNames()) {
                Tensor t = f.tensor(name);
                if (name.endsWith("_proj.weight") || name.endsWith("_proj_with_mqa.weight")) {
                    int rows = (int) t.size(0), cols = (int) t.size(1);
                    byte[] codes = new byte[rows * cols];
                    float[] scales = Fp8CheckpointTest.quantize(t.toFloatArray(), rows, cols, codes);
                    w.addRaw(name, SafetensorsDType.F8_E4M3, t.shape(), MemorySegment.ofArray(codes));
                    w.add(name + "_scale_inv", Tensor.of(arena, scales, (rows + 127) / 128, (cols + 127) / 128));
                    converted++;
                } else {
                    w.add(name, t.contiguous(arena));
                }
            }
            Path fp8 = hf.resolve("model.fp8");
            w.write(fp8);
            Files.move(fp8, file, StandardCopyOption.REPLACE_EXISTING);
        }
        // per layer: q_a, q_b, kv_a, kv_b, o; layer 0: 3 dense; layers 1, 2: 8 x 3 routed + 3 shared
        assertEquals(3 * 5 + 3 + 2 * (8 * 3 + 3), converted);
        int[] prompt = TransformerForwardTest.tokens(random, m.vocab, 6);
        Float64DeepSeek ref = new Float64DeepSeek(m);
        double[] exact = null;
        for (int t : prompt) {
            exact = ref.step(t);
        }
        try (Ops ops = open("cpu"); Model model = Model.open(hf, ops, options(DType.F32))) {
            assertClose(exact, model.transformer().forward(prompt, 0), F32_TOLERANCE, "FP8 DeepSeek V3 checkpoint");
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String[] resource(String name) throws IOException {
        try (InputStream in = DeepSeek2LlamaCppTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "missing test fixture " + name);
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            assertEquals(3, lines.length, name);
            return lines;
        }
    }
}
