package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.compare;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.oracle;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.formats.quant.QuantizationPlan;
import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models with MXFP4 weights: tiny models quantized by {@link ModelQuantizer} to MXFP4_MOE (a
 * Mixtral-style model: MXFP4 experts, Q8_0 elsewhere; a dense Llama with {@code --pure}: every
 * matrix MXFP4) run on both backends and match the float64 oracle on their decoded weights; and
 * the same two files, from fixed seeds, agree with llama.cpp.
 *
 * <p>The llama.cpp numbers ({@code mxfp4/*.llama-ref.txt}) were printed by
 * {@code /work/tools/llama-ref/run.sh FILE --tokens 1,2,3 --n 4 --kv f32 --threads 1} (llama.cpp
 * v0.5.0 through node-llama-cpp's libraries) on the files {@link #fixedModel} writes; the files
 * llama.cpp's own {@code llama_model_quantize} made from the same F32 models (ftype 38, pure for the
 * dense one) were byte for byte the ones our quantizer writes.
 */
@ExtendWith(Seeded.class)
class Mxfp4ModelTest {
    @TempDir
    Path dir;

    /** The tiny model of {@code kind} ("llama" pure, "mixtral" MXFP4_MOE), quantized to MXFP4 in {@code dir}. */
    static Path quantized(TinyModel m, String kind, Path dir, Consumer<GgufWriter> extra) throws IOException {
        Path f32 = m.writeGguf(dir.resolve(kind + "-f32.gguf"), extra);
        Path out = dir.resolve(kind + "-mxfp4.gguf");
        QuantizationPlan plan = ModelQuantizer.quantize(f32, out, QuantType.MXFP4_MOE, kind.equals("llama"));
        assertTrue(plan.entries().stream().anyMatch(e -> e.to() == GgmlType.MXFP4), plan.toString());
        return out;
    }

    private static TinyModel model(String kind, Random random) {
        return kind.equals("llama") ? TinyModel.llama(random) : TinyModel.mixtral(random);
    }

    /** Every tensor of {@code file} decoded to floats, by GGUF name. */
    private static Map<String, float[]> decoded(Path file) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (GgufFile g = GgufFile.open(file); Arena arena = Arena.ofConfined()) {
            for (GgufTensorInfo t : g.tensorInfos()) {
                out.put(t.name(), Quants.dequantize(arena, g.tensor(t.name())).toFloatArray());
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama reference", "llama cpu", "mixtral reference", "mixtral cpu"})
    void mxfp4_models_match_float64_on_their_decoded_weights(String kindAndBackend, Random random) throws Exception {
        String kind = kindAndBackend.split(" ")[0], backend = kindAndBackend.split(" ")[1];
        TinyModel m = model(kind, random);
        Path file = quantized(m, kind, dir, w -> { });
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
            compare(model, oracle(model.config(), decoded(file), Rope.Layout.INTERLEAVED, m), random, F32_TOLERANCE);
        }
    }

    /**
     * The fixed-seed file of {@code kind}, with a 100-token SentencePiece vocabulary that llama.cpp
     * needs to load a model (the tests pass token ids, so the tokens themselves do not matter).
     */
    static Path fixedModel(String kind, Path dir) throws IOException {
        TinyModel m = model(kind, new Random(14));
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<0x0A>"));
        while (tokens.size() < m.vocab) {
            tokens.add("t" + tokens.size());
        }
        int[] types = new int[m.vocab];
        java.util.Arrays.fill(types, 1);
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        types[3] = 6;
        return quantized(m, kind, dir, w -> w.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", new float[m.vocab])
                .putInt32Array("tokenizer.ggml.token_type", types));
    }

    /**
     * Logits after tokens 1, 2, 3 and the 4 greedy tokens that follow, against llama.cpp's. llama.cpp
     * rounds the activations of every MXFP4 and Q8_0 matmul to 8 bits per block of 32 (at most half
     * a step, 1/254 of the block's largest magnitude), which moves each matmul's output by up to
     * about 2^-8 of its scale; with 4 such stages per layer plus the output over 3 (Llama) or 2
     * (Mixtral) layers, the logits may differ by {@code (4 L + 1) 2^-8} of their largest magnitude.
     * Greedy tokens must agree where llama.cpp's top-2 margin exceeds that difference twice.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "mixtral"})
    void fixed_mxfp4_models_agree_with_llama_cpp(String kind) throws Exception {
        Path file = fixedModel(kind, dir);
        LlamaRef ref = LlamaRef.read("mxfp4/" + kind + ".llama-ref.txt");
        int layers = model(kind, new Random(14)).layers;
        try (Ops ops = open("cpu"); Model model = Model.open(file, ops, options(DType.F32))) {
            float[] logits = model.transformer().forward(new int[] {1, 2, 3}, 0);
            assertEquals(ref.logits.length, logits.length);
            double scale = 0;
            for (float l : ref.logits) {
                scale = Math.max(scale, Math.abs(l));
            }
            double bound = (4 * layers + 1) * 0x1p-8 * scale;
            for (int i = 0; i < logits.length; i++) {
                assertEquals(ref.logits[i], logits[i], bound, kind + " logit " + i);
            }
            int position = 3;
            int[] ours = new int[ref.greedy.length];
            for (int s = 0; s < ref.greedy.length; s++) {
                ours[s] = argmax(logits);
                if (ref.margins[s] <= 2 * bound) {
                    break; // a near tie: llama.cpp's rounding may pick the other token; stop comparing there
                }
                assertEquals(ref.greedy[s], ours[s], kind + " greedy token " + s + " (llama.cpp margin " + ref.margins[s] + ")");
                logits = model.transformer().forward(new int[] {ours[s]}, position++);
            }
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

    /** llama.cpp's printed answer: line 1 the logits, line 2 the greedy tokens, line 3 their top-2 margins. */
    private record LlamaRef(float[] logits, int[] greedy, float[] margins) {
        static LlamaRef read(String resource) throws IOException {
            try (InputStream in = Mxfp4ModelTest.class.getResourceAsStream(resource)) {
                assertNotNull(in, "missing test fixture " + resource);
                String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
                assertEquals(3, lines.length, resource);
                String[] l = lines[0].trim().split(" "), g = lines[1].trim().split(" "), mg = lines[2].trim().split(" ");
                float[] logits = new float[l.length];
                for (int i = 0; i < l.length; i++) {
                    logits[i] = Float.parseFloat(l[i]);
                }
                int[] greedy = new int[g.length];
                float[] margins = new float[g.length];
                assertArrayEquals(new int[] {g.length}, new int[] {mg.length});
                for (int i = 0; i < g.length; i++) {
                    greedy[i] = Integer.parseInt(g[i]);
                    margins[i] = Float.parseFloat(mg[i]);
                }
                return new LlamaRef(logits, greedy, margins);
            }
        }
    }
}
