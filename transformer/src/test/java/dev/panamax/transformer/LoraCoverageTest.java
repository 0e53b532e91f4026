package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.compare;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.oracle;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;
import dev.panamax.transformer.lora.LoraMerger;
import java.io.IOException;
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
 * LoRA beyond the dense projections, as llama.cpp applies it: the stacked experts
 * ({@code build_lora_mm_id}: {@code ffn_*_exps.lora_a [E, r, in]}), the router and the shared expert
 * with its gate ({@code build_lora_mm}), the token embedding ({@code llm_build_inp_embd}:
 * {@code ΔE[t] = b · a[t]}), and PEFT's {@code lm_head} on a tied output; against the float64 oracle
 * on the merged weights (summed in double, rounded once: within the F32 forward bound of
 * {@link TransformerForwardTest}). What llama.cpp cannot apply is refused naming the tensor.
 */
@ExtendWith(Seeded.class)
class LoraCoverageTest {
    @TempDir
    Path dir;

    private static final String[] TARGETS = {"ffn_gate_exps.weight", "ffn_up_exps.weight", "ffn_down_exps.weight",
        "ffn_gate_inp.weight", "ffn_gate_inp_shexp.weight", "ffn_gate_shexp.weight", "ffn_up_shexp.weight", "ffn_down_shexp.weight",
        "attn_q.weight", "token_embd.weight"};

    /** Each kind of tensor alone (a failure names it), then all of them in one adapter. */
    @ParameterizedTest
    @ValueSource(strings = {"ffn_gate_exps.weight", "ffn_up_exps.weight", "ffn_down_exps.weight", "ffn_gate_inp.weight",
        "ffn_gate_inp_shexp.weight", "ffn_gate_shexp.weight", "ffn_up_shexp.weight", "ffn_down_shexp.weight", "token_embd.weight", "all"})
    void experts_router_shared_expert_its_gate_and_the_embedding_match_the_merged_float64_forward(String which, Random random)
            throws IOException {
        TinyModel m = TinyModel.qwen2moe(random); // NEOX in GGUF: the file's weights are the oracle's
        List<String> targets = which.equals("all") ? TinyTensorAdapter.named(m.shapes, TARGETS) : TinyTensorAdapter.named(m.shapes, which);
        assertEquals(which.equals("all") ? 2 * (TARGETS.length - 1) + 1 : which.startsWith("token") ? 1 : 2, targets.size(),
                targets.toString());
        TinyTensorAdapter ad = new TinyTensorAdapter(m, targets, 3, 6, random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        LoraAdapter lora = LoraAdapter.open(ad.writeGguf(dir.resolve("moe-lora.gguf"), DType.F32));
        long seed = random.nextLong();
        try (Ops ops = open("cpu"); Model model = Model.open(base, ops, options(DType.F32).withAdapter(lora, 0.7f))) {
            Float64Transformer ref = oracle(model.config(), ad.applied(m.ggufWeights(), 0.7), Rope.Layout.NEOX, m);
            ref.normalizeTopK = m.normalizeTopK;
            compare(model, ref, new Random(seed), F32_TOLERANCE);
        }
    }

    /**
     * PEFT's names for the same tensors: transformers' per-expert modules (Qwen-MoE's
     * {@code mlp.experts.E.gate_proj}, Mixtral's {@code block_sparse_moe.experts.E.w1}) stacked onto the
     * GGUF experts, the routers, the shared expert and its gate, and {@code embed_tokens}'s
     * {@code lora_embedding_A/B}: the float64 forward on the merged weights, and the GGUF adapter of the
     * same factors to the bit (both become the same F32 factors).
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2moe", "mixtral"})
    void peft_adapters_of_experts_routers_shared_experts_and_the_embedding_match_float64_and_the_gguf_adapter(String arch, Random random)
            throws IOException {
        boolean mixtral = arch.equals("mixtral");
        TinyModel m = mixtral ? TinyModel.mixtral(random) : TinyModel.qwen2moe(random);
        String[] kinds = mixtral ? new String[] {"ffn_gate_exps.weight", "ffn_up_exps.weight", "ffn_down_exps.weight",
            "ffn_gate_inp.weight", "token_embd.weight"} : TARGETS;
        TinyTensorAdapter ad = new TinyTensorAdapter(m, TinyTensorAdapter.named(m.shapes, kinds), 3, 6, random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        LoraAdapter peft = LoraAdapter.open(ad.writePeft(dir.resolve("peft"), mixtral));
        LoraAdapter gguf = LoraAdapter.open(ad.writeGguf(dir.resolve("same.gguf"), DType.F32));
        assertEquals(gguf.factors().keySet(), peft.factors().keySet());
        long seed = random.nextLong();
        try (Ops ops = open("cpu"); Model model = Model.open(base, ops, options(DType.F32).withAdapter(peft, 0.7f));
             Model same = Model.open(base, ops, options(DType.F32).withAdapter(gguf, 0.7f))) {
            Float64Transformer ref = oracle(model.config(), ad.applied(m.ggufWeights(), 0.7),
                    mixtral ? Rope.Layout.INTERLEAVED : Rope.Layout.NEOX, m);
            ref.normalizeTopK = m.normalizeTopK;
            compare(model, ref, new Random(seed), F32_TOLERANCE);
            int[] prompt = {5, 17, 30, 42, 99, 7};
            org.junit.jupiter.api.Assertions.assertArrayEquals(same.transformer().forward(prompt, 0), model.transformer().forward(prompt, 0));
        }
    }

    @Test
    void peft_expert_adapters_missing_an_expert_and_embedding_adapters_of_other_modules_are_refused_by_name(Random random)
            throws IOException {
        TinyModel m = TinyModel.qwen2moe(random);
        TinyTensorAdapter ad = new TinyTensorAdapter(m, List.of("blk.1.ffn_up_exps.weight"), 2, 2, random);
        Path peft = ad.writePeft(dir.resolve("peft"), false);
        // drop expert 2's pair: the stack would be incomplete (llama.cpp's converter cannot stack it either)
        Path st = peft.resolve("adapter_model.safetensors");
        Path partial = dir.resolve("partial");
        java.nio.file.Files.createDirectories(partial);
        java.nio.file.Files.copy(peft.resolve("adapter_config.json"), partial.resolve("adapter_config.json"));
        try (var in = dev.panamax.formats.safetensors.SafetensorsFile.open(st); var arena = java.lang.foreign.Arena.ofConfined()) {
            var w = new dev.panamax.formats.safetensors.SafetensorsWriter();
            for (String name : in.tensorNames()) {
                if (!name.contains(".experts.2.")) {
                    w.add(name, in.tensor(name).to(arena, DType.F32));
                }
            }
            w.write(partial.resolve("adapter_model.safetensors"));
        }
        FormatException e = assertThrows(FormatException.class, () -> LoraAdapter.open(partial));
        assertTrue(e.getMessage().contains("blk.1.ffn_up_exps.weight") && e.getMessage().contains("expert 2"), e.getMessage());
        Path wrong = dir.resolve("wrong");
        java.nio.file.Files.createDirectories(wrong);
        java.nio.file.Files.copy(peft.resolve("adapter_config.json"), wrong.resolve("adapter_config.json"));
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            new dev.panamax.formats.safetensors.SafetensorsWriter()
                    .add("base_model.model.lm_head.lora_embedding_A", Tensor.of(arena, new float[] {1, 2}, 1, 2))
                    .add("base_model.model.lm_head.lora_embedding_B", Tensor.of(arena, new float[] {1, 2}, 2, 1))
                    .write(wrong.resolve("adapter_model.safetensors"));
        }
        e = assertThrows(FormatException.class, () -> LoraAdapter.open(wrong));
        assertTrue(e.getMessage().contains("lm_head"), e.getMessage());
    }

    @Test
    void an_lm_head_adapter_changes_a_tied_output_and_a_token_embd_one_is_refused_there(Random random) throws IOException {
        TinyModel m = TinyModel.qwen2(random); // tied output
        Map<String, long[]> shapes = new LinkedHashMap<>(m.shapes);
        shapes.put("output.weight", m.shapes.get("token_embd.weight"));
        TinyTensorAdapter head = new TinyTensorAdapter(m.arch, shapes, List.of("output.weight"), 4, 8, random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        LoraAdapter lora = LoraAdapter.open(head.writeGguf(dir.resolve("head.gguf"), DType.F32));
        Map<String, float[]> weights = new LinkedHashMap<>(m.ggufWeights());
        weights.put("output.weight", weights.get("token_embd.weight"));
        long seed = random.nextLong();
        try (Ops ops = open("cpu"); Model model = Model.open(base, ops, options(DType.F32).withAdapter(lora, 1f))) {
            compare(model, oracle(model.config(), head.applied(weights, 1), Rope.Layout.NEOX, m), new Random(seed), F32_TOLERANCE);
        }
        TinyTensorAdapter embd = new TinyTensorAdapter(m, List.of("token_embd.weight"), 4, 8, random);
        LoraAdapter embdLora = LoraAdapter.open(embd.writeGguf(dir.resolve("embd.gguf"), DType.F32));
        try (Ops ops = open("cpu")) {
            FormatException e = assertThrows(FormatException.class, () -> Model.open(base, ops, options(DType.F32).withAdapter(embdLora, 1f)));
            assertTrue(e.getMessage().contains("token_embd.weight") && e.getMessage().contains("tied"), e.getMessage());
        }
    }

    @Test
    void an_adapter_of_a_tensor_no_layer_takes_and_merges_of_experts_are_refused_naming_the_tensor(Random random) throws IOException {
        TinyModel m = TinyModel.qwen2moe(random);
        Path base = m.writeGguf(dir.resolve("base.gguf"));
        // norm gains take no adapter in llama.cpp (build_norm multiplies, no build_lora_mm)
        Map<String, long[]> shapes = new LinkedHashMap<>(m.shapes);
        shapes.put("blk.0.attn_norm.weight", new long[] {1, m.dim});
        TinyTensorAdapter norm = new TinyTensorAdapter(m.arch, shapes, List.of("blk.0.attn_norm.weight"), 2, 2, random);
        LoraAdapter normLora = LoraAdapter.open(norm.writeGguf(dir.resolve("norm.gguf"), DType.F32));
        try (Ops ops = open("cpu")) {
            FormatException e = assertThrows(FormatException.class, () -> Model.open(base, ops, options(DType.F32).withAdapter(normLora, 1f)));
            assertTrue(e.getMessage().contains("blk.0.attn_norm.weight"), e.getMessage());
        }
        TinyTensorAdapter experts = new TinyTensorAdapter(m, List.of("blk.1.ffn_up_exps.weight"), 2, 2, random);
        LoraAdapter expertLora = LoraAdapter.open(experts.writeGguf(dir.resolve("exps.gguf"), DType.F32));
        FormatException e = assertThrows(FormatException.class,
                () -> LoraMerger.merge(base, AdapterSet.NONE.with(expertLora, 1f), dir.resolve("merged.gguf"), false));
        assertTrue(e.getMessage().contains("blk.1.ffn_up_exps.weight"), e.getMessage());
    }
}
