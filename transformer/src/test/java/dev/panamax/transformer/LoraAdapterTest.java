package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.compare;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.oracle;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.lora.LoraAdapter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA adapters applied at run time, against the float64 oracle run on the merged weights
 * {@code W + scale · alpha / r · B · A} (summed in double, rounded once to F32: an error of 2^-24 of
 * each weight, far inside {@link TransformerForwardTest#F32_TOLERANCE}, whose derivation holds for
 * any weights of this size). Tiny random models and adapters written with our own writers.
 */
@ExtendWith(Seeded.class)
class LoraAdapterTest {
    @TempDir
    Path dir;

    @Test
    void gguf_and_peft_adapters_of_the_same_weights_match_the_merged_float64_forward(Random random) throws IOException {
        TinyModel m = TinyModel.llama(random);
        TinyAdapter ad = new TinyAdapter(m, 4, 8, random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        LoraAdapter gguf = LoraAdapter.open(ad.writeGguf(dir.resolve("lora.gguf"), DType.F32));
        LoraAdapter peft = LoraAdapter.open(ad.writePeft(dir.resolve("peft"), ""));
        assertEquals(4, gguf.rank());
        assertEquals(8f, peft.alpha());
        int[] prompt = tokens(random, m.vocab, 7);
        long seed = random.nextLong();
        float[] viaGguf, viaPeft;
        try (Ops ops = open("cpu");
             Model a = Model.open(base, ops, options(DType.F32).withAdapter(gguf, 0.75f));
             Model b = Model.open(base, ops, options(DType.F32).withAdapter(peft, 0.75f))) {
            viaGguf = a.transformer().forward(prompt, 0);
            viaPeft = b.transformer().forward(prompt, 0);
            assertArrayEquals(viaGguf, viaPeft, 1e-5f, "GGUF adapter vs PEFT adapter on the GGUF base");
            compare(a, oracle(a.config(), ad.applied(m.weights, 0.75, false), Rope.Layout.NEOX, m), new Random(seed), F32_TOLERANCE);
        }
        Path hf = m.writeHf(dir.resolve("hf"));
        try (Ops ops = open("cpu"); Model c = Model.open(hf, ops, options(DType.F32).withAdapter(peft, 0.75f))) {
            compare(c, oracle(c.config(), ad.applied(m.weights, 0.75, false), Rope.Layout.NEOX, m), new Random(seed), F32_TOLERANCE);
        }
    }

    @Test
    void scale_zero_gives_the_base_logits_exactly(Random random) throws IOException {
        TinyModel m = TinyModel.llama(random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        LoraAdapter lora = LoraAdapter.open(new TinyAdapter(m, 3, 6, random).writeGguf(dir.resolve("lora.gguf"), DType.F16));
        int[] prompt = tokens(random, m.vocab, 5);
        try (Ops ops = open("cpu"); Model plain = Model.open(base, ops, options(DType.F32));
             Model zero = Model.open(base, ops, options(DType.F32).withAdapter(lora, 0f))) {
            assertArrayEquals(plain.transformer().forward(prompt, 0), zero.transformer().forward(prompt, 0));
        }
    }

    @Test
    void two_adapters_compose_and_two_sessions_of_one_file_use_their_own(Random random) throws IOException {
        TinyModel m = TinyModel.qwen2(random); // Q/K/V biases, NEOX in GGUF: no permutation
        TinyAdapter first = new TinyAdapter(m, 4, 4, random), second = new TinyAdapter(m, 2, 16, random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        LoraAdapter one = LoraAdapter.open(first.writeGguf(dir.resolve("one.gguf"), DType.F32));
        LoraAdapter two = LoraAdapter.open(second.writePeft(dir.resolve("two"), ""));
        long seed = random.nextLong();
        try (Ops ops = open("cpu");
             Model both = Model.open(base, ops, options(DType.F32).withAdapter(one, 1f).withAdapter(two, -0.5f));
             Model only = Model.open(base, ops, options(DType.F32).withAdapter(two, 1f))) {
            compare(both, oracle(both.config(), second.applied(first.applied(m.ggufWeights(), 1, true), -0.5, true),
                    Rope.Layout.NEOX, m), new Random(seed), F32_TOLERANCE);
            compare(only, oracle(only.config(), second.applied(m.ggufWeights(), 1, true), Rope.Layout.NEOX, m),
                    new Random(seed), F32_TOLERANCE);
        }
    }

    /** QLoRA: the adapter changes a quantized base exactly as it changes its decoded weights. */
    @ParameterizedTest
    @ValueSource(strings = {"Q4_0", "Q8_0"})
    void on_a_quantized_base_the_adapter_adds_to_the_decoded_weights(String type, Random random) throws IOException {
        TinyModel m = TinyModel.llama(random);
        TinyAdapter ad = new TinyAdapter(m, 32, 8, random); // rank 32: Q8_0 rows of lora_b are whole blocks
        Path f32 = m.writeGguf(dir.resolve("base.gguf"));
        Path quantized = dir.resolve("base-" + type + ".gguf");
        ModelQuantizer.quantize(f32, quantized, QuantType.valueOf(type), true);
        LoraAdapter lora = LoraAdapter.open(ad.writeGguf(dir.resolve("lora.gguf"), DType.Q8_0));
        Map<String, float[]> decodedAdapter = new LinkedHashMap<>();
        for (var e : lora.factors().entrySet()) { // Q8_0 factors: the oracle takes their decoded values
            decodedAdapter.put(e.getKey(), e.getValue().b().toFloatArray());
            ad.a.put(e.getKey(), e.getValue().a().toFloatArray());
        }
        try (Ops ops = open("cpu"); Model model = Model.open(quantized, ops, options(DType.F32).withAdapter(lora, 1f))) {
            Map<String, float[]> weights = decoded(quantized);
            TinyAdapter ggufOrder = new TinyAdapter(m, 32, 8, new Random(0));
            ggufOrder.a.putAll(ad.a);
            ggufOrder.b.putAll(decodedAdapter);
            // decodedAdapter is already in llama.cpp's order; ggufB would permute it again, so apply it as "HF" order to GGUF weights
            compare(model, oracle(model.config(), ggufOrder.applied(weights, 1, false), Rope.Layout.INTERLEAVED, m), random,
                    F32_TOLERANCE);
        }
    }

    @Test
    void an_adapter_of_another_shape_names_the_tensor_and_both_shapes(Random random) throws IOException {
        TinyModel m = TinyModel.llama(random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        LoraAdapter other = LoraAdapter.open(new TinyAdapter(TinyModel.qwen3(random, false), 2, 2, random)
                .writeGguf(dir.resolve("other.gguf"), DType.F32));
        try (Ops ops = open("cpu")) {
            FormatException e = assertThrows(FormatException.class, () -> Model.open(base, ops, options(DType.F32).withAdapter(other, 1f)));
            // the first misfit by name: attn_k (qwen3's [48, 64] K against llama's [32, 64])
            assertTrue(e.getMessage().contains("blk.0.attn_k.weight") && e.getMessage().contains("[2, 64]")
                    && e.getMessage().contains("[48, 2]") && e.getMessage().contains("[32, 64]"), e.getMessage());
        }
    }

    @Test
    void peft_modules_to_save_is_refused_by_name(Random random) throws IOException {
        TinyModel m = TinyModel.llama(random);
        TinyAdapter ad = new TinyAdapter(m, 2, 2, random);
        Path peft = ad.writePeft(dir.resolve("peft"), "");
        java.nio.file.Files.writeString(peft.resolve("adapter_config.json"),
                "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 2, \"modules_to_save\": [\"lm_head\"]}");
        FormatException e = assertThrows(FormatException.class, () -> LoraAdapter.open(peft));
        assertEquals("modules_to_save", e.field());
    }

    @Test
    void rslora_scales_by_alpha_over_the_root_of_the_rank(Random random) throws IOException {
        TinyModel m = TinyModel.llama(random);
        LoraAdapter rs = LoraAdapter.open(new TinyAdapter(m, 4, 8, random).writePeft(dir.resolve("rs"), "\"use_rslora\": true,"));
        assertTrue(rs.rsLora());
        assertEquals(0.5f * 8 / 2, rs.scale(4, 0.5f));
        LoraAdapter plain = LoraAdapter.open(new TinyAdapter(m, 4, 8, random).writePeft(dir.resolve("plain"), ""));
        assertEquals(0.5f * 8 / 4, plain.scale(4, 0.5f));
        assertEquals(List.of("attn_k", "attn_output", "attn_q", "attn_v", "ffn_down", "ffn_gate", "ffn_up"), plain.targets());
    }

    private static Map<String, float[]> decoded(Path file) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (GgufFile g = GgufFile.open(file); Arena arena = Arena.ofConfined()) {
            for (GgufTensorInfo t : g.tensorInfos()) {
                out.put(t.name(), Quants.dequantize(arena, g.tensor(t.name())).toFloatArray());
            }
        }
        return out;
    }
}
