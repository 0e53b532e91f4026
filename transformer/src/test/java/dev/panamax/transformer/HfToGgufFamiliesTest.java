package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.cli.Main;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every family's Hugging Face checkpoint (the tiny models of the family forward tests, written by
 * {@link HfToGgufFixture}) converted to GGUF by {@link HfToGguf} gives the checkpoint's logits, and
 * quantizes through {@code panamax quantize DIR OUT} with llama-quantize's rules.
 *
 * <p>Bounds. F32: the two loads run the same kernels over the same float32 weights, in the layouts
 * each format stores (Q/K permuted for Llama and Granite, experts stacked, Gemma's {@code 1 + w}
 * computed in float32 on both sides, MXFP4 experts re-packed bit for bit), so what differs is the
 * order of float32 reductions of at most 2 · 96 terms through at most 7 layers: {@link
 * TransformerForwardTest#F32_TOLERANCE} of the logit scale. Quantized: the quantized file against the
 * same file with every quantized tensor decoded to F32, so that only the kernels' own rounding of the
 * activations to 8 bits per block of 32 before each quantized matmul remains (half a step, 2⁻⁸ of the
 * block's largest magnitude, moving each matmul's output by up to 2⁻⁸ of its scale): 4 such stages
 * per layer and the output, {@code (4 L + 1) 2⁻⁸} of the logit scale, plus the F32 bound.
 */
class HfToGgufFamiliesTest {
    /** 12 tokens: longer than every sliding window of the fixtures (3 to 5), so that the windows matter. */
    private static final int[] PROMPT = {5, 17, 42, 99, 7, 23, 61, 3, 88, 14, 50, 29};
    private static final int DECODE = 3;

    @TempDir
    Path dir;

    static List<String> kinds() {
        return HfToGgufFixture.FAMILY_KINDS;
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void theConvertedFileGivesTheCheckpointsLogits(String kind) throws Exception {
        Path hf = HfToGgufFixture.checkpoint(kind, dir.resolve("hf"));
        Path gguf = dir.resolve(kind + ".gguf");
        HfToGguf.convert(hf, gguf);
        try (Ops ops = open("cpu"); Model h = Model.open(hf, ops, options(DType.F32)); Model g = Model.open(gguf, ops, options(DType.F32))) {
            // what both loads say the model uses; but Phi-3 (LongRoPE's attention factor is a float32 key in GGUF) and
            // StarCoder 2 (whose config.json reading does not describe the tied output and biases it finds in the weights)
            if (!kind.equals("phi3") && !kind.equals("starcoder2")) {
                assertEquals(h.features(), g.features().stream().map(f -> f.replace("INTERLEAVED", "NEOX")).toList(), kind);
            }
            compare(h, g, F32_TOLERANCE, kind + " checkpoint vs its conversion");
        }
        try (GgufFile f = GgufFile.open(gguf)) {
            for (GgufTensorInfo t : f.tensorInfos()) {
                if (t.shape().length == 1) {
                    assertEquals(GgmlType.F32, t.type(), kind + " " + t.name() + ": vectors in F32");
                }
            }
            if (kind.startsWith("gpt-oss")) { // MXFP4 blocks copied, not requantized; the dense form keeps its type
                GgmlType experts = f.findTensorInfo("blk.0.ffn_gate_exps.weight").orElseThrow().type();
                assertEquals(kind.equals("gpt-oss") ? GgmlType.MXFP4 : GgmlType.F32, experts, kind);
                assertTrue(f.findTensorInfo("blk.2.attn_sinks.weight").isPresent(), kind);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void theCommandLineQuantizesTheCheckpoint(String kind) throws Exception {
        Path hf = HfToGgufFixture.checkpoint(kind, dir.resolve("hf"));
        // an MXFP4 checkpoint keeps its experts (requantizing them would compound two roundings): MXFP4_MOE
        List<String> types = kind.equals("gpt-oss") ? List.of("MXFP4_MOE") : List.of("Q8_0", "Q4_K_M");
        for (String type : types) {
            Path out = dir.resolve(kind + "-" + type + ".gguf");
            assertEquals(0, Main.run(List.of(), "quantize", "--type", type, hf.toString(), out.toString()), kind + " " + type);
            Path decoded = decoded(out, dir.resolve(kind + "-" + type + "-decoded.gguf"));
            try (Ops ops = open("cpu"); Model q = Model.open(out, ops, options(DType.F32));
                 Model d = Model.open(decoded, ops, options(DType.F32)); Model h = Model.open(hf, ops, options(DType.F32))) {
                int layers = q.config().layers();
                compare(d, q, F32_TOLERANCE + (4 * layers + 1) * 0x1p-8, kind + " " + type + " vs its decoded weights");
                float[] a = h.transformer().forward(PROMPT, 0), b = q.transformer().forward(PROMPT, 0);
                assertNotEquals(0, maxDiff(a, b), kind + " " + type + ": the weights were quantized");
            }
        }
    }

    @Test
    void gptOssWithItsOwnUntruncatedYarnConvertsAsLlamaCppDoes() throws Exception {
        Path hf = new TinyGptOss(new java.util.Random(7)).writeHf(dir.resolve("hf"), false);
        Files.writeString(hf.resolve("tokenizer.json"), HfToGgufFixture.tokenizerJson(100));
        Path gguf = dir.resolve("g.gguf");
        HfToGguf.convert(hf, gguf);
        try (GgufFile f = GgufFile.open(gguf)) {
            assertEquals("yarn", f.metadata().getString("gpt-oss.rope.scaling.type"));
            assertEquals(4f, f.metadata().getFloat("gpt-oss.rope.scaling.factor"));
            assertEquals(16, f.metadata().getInt("gpt-oss.rope.scaling.original_context_length"));
        }
    }

    @Test
    void featuresLlamaCppReadsDifferentlyAreRefusedByName() throws Exception {
        Path gemma = TinyGemma.gemma2(new java.util.Random(1)).writeHf(dir.resolve("gemma2"));
        Files.writeString(gemma.resolve("config.json"), Files.readString(gemma.resolve("config.json"))
                .replace("\"query_pre_attn_scalar\": 24.0", "\"query_pre_attn_scalar\": 100.0"));
        Files.writeString(gemma.resolve("tokenizer.json"), HfToGgufFixture.tokenizerJson(100));
        var e = assertThrows(UnsupportedModelException.class, () -> HfToGguf.convert(gemma, dir.resolve("g.gguf")));
        assertTrue(e.getMessage().contains("query_pre_attn_scalar"), e.getMessage());

        Path oss = new TinyGptOss(new java.util.Random(2)).writeHf(dir.resolve("oss"), true);
        Files.writeString(oss.resolve("config.json"), Files.readString(oss.resolve("config.json"))
                .replace("\"swiglu_limit\": 7.0", "\"swiglu_limit\": 5.0"));
        Files.writeString(oss.resolve("tokenizer.json"), HfToGgufFixture.tokenizerJson(100));
        e = assertThrows(UnsupportedModelException.class, () -> HfToGguf.convert(oss, dir.resolve("o.gguf")));
        assertTrue(e.getMessage().contains("swiglu_limit 5.0"), e.getMessage());

        Path starcoder = TinyFamilies.starcoder2(new java.util.Random(3), true, true, 0).writeHf(dir.resolve("sc"));
        Files.writeString(starcoder.resolve("config.json"), Files.readString(starcoder.resolve("config.json"))
                .replace("gelu_pytorch_tanh", "gelu"));
        Files.writeString(starcoder.resolve("tokenizer.json"), HfToGgufFixture.tokenizerJson(100));
        e = assertThrows(UnsupportedModelException.class, () -> HfToGguf.convert(starcoder, dir.resolve("s.gguf")));
        assertTrue(e.getMessage().contains("hidden_act gelu"), e.getMessage());
    }

    /** The prompt in one call, then {@link #DECODE} greedy steps of {@code a}'s choice, logits compared after each. */
    private static void compare(Model a, Model b, double tolerance, String what) {
        float[] x = a.transformer().forward(PROMPT, 0), y = b.transformer().forward(PROMPT, 0);
        for (int s = 0, pos = PROMPT.length; ; s++) {
            assertClose(toDouble(x), y, tolerance, what + " step " + s);
            if (s == DECODE) {
                return;
            }
            int next = argmax(x);
            x = a.transformer().forward(new int[] {next}, pos);
            y = b.transformer().forward(new int[] {next}, pos++);
        }
    }

    /** {@code in} with every quantized tensor decoded to F32 (the weights a quantized model multiplies by). */
    static Path decoded(Path in, Path out) throws IOException {
        try (GgufFile f = GgufFile.open(in); Arena arena = Arena.ofConfined()) {
            GgufWriter w = new GgufWriter().copyMetadata(f.metadata());
            for (GgufTensorInfo info : f.tensorInfos()) {
                Tensor t = f.findTensor(info.name()).orElseThrow();
                w.addTensor(info.name(), t.dtype().isQuantized() ? Quants.dequantize(arena, t) : t);
            }
            w.write(out);
        }
        return out;
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
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
}
