package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** llama-quantize's type rules and write order, on made-up llama models (no files needed). */
class QuantizationPlanTest {

    /** A llama model of {@code layers} layers with rows of {@code dim} (and ffn) values, listed in converter order. */
    private static List<QuantizationPlan.Source> llama(int layers, long dim, long ffn, boolean withOutput) {
        List<QuantizationPlan.Source> t = new ArrayList<>();
        t.add(src("token_embd.weight", 512, dim));
        t.add(src("output_norm.weight", dim));
        if (withOutput) {
            t.add(src("output.weight", 512, dim));
        }
        for (int i = 0; i < layers; i++) {
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output"}) {
                t.add(src("blk." + i + "." + m + ".weight", dim, dim));
            }
            t.add(src("blk." + i + ".attn_norm.weight", dim));
            t.add(src("blk." + i + ".ffn_gate.weight", ffn, dim));
            t.add(src("blk." + i + ".ffn_down.weight", dim, ffn));
            t.add(src("blk." + i + ".ffn_up.weight", ffn, dim));
            t.add(src("blk." + i + ".ffn_norm.weight", dim));
        }
        return t;
    }

    private static QuantizationPlan.Source src(String name, long... shape) {
        return new QuantizationPlan.Source(name, shape, GgmlType.F32);
    }

    private static QuantizationPlan plan(List<QuantizationPlan.Source> t, int layers, QuantType type, boolean pure) {
        return QuantizationPlan.of(t, new QuantizationPlan.Model("llama", layers, 0, false), type, pure);
    }

    @Test
    void q4_k_m_gives_q6_k_to_output_and_to_attn_v_and_ffn_down_of_the_use_more_bits_layers() {
        int layers = 16; // more bits: i < 2, i >= 14, and (i - 2) % 3 == 2: 4, 7, 10, 13
        QuantizationPlan p = plan(llama(layers, 256, 768, true), layers, QuantType.Q4_K_M, false);
        List<Integer> moreBits = List.of(0, 1, 4, 7, 10, 13, 14, 15);
        for (int i = 0; i < layers; i++) {
            GgmlType want = moreBits.contains(i) ? GgmlType.Q6_K : GgmlType.Q4_K;
            assertEquals(want, p.entry("blk." + i + ".attn_v.weight").to(), "attn_v of layer " + i);
            assertEquals(want, p.entry("blk." + i + ".ffn_down.weight").to(), "ffn_down of layer " + i);
            assertEquals(GgmlType.Q4_K, p.entry("blk." + i + ".attn_q.weight").to());
            assertEquals(GgmlType.F32, p.entry("blk." + i + ".ffn_norm.weight").to());
        }
        assertEquals(GgmlType.Q6_K, p.entry("output.weight").to());
        assertEquals(GgmlType.Q4_K, p.entry("token_embd.weight").to());
    }

    @Test
    void q4_k_s_gives_q5_k_to_the_first_four_attn_v_and_the_first_eighth_of_ffn_down() {
        int layers = 16;
        QuantizationPlan p = plan(llama(layers, 256, 768, true), layers, QuantType.Q4_K_S, false);
        for (int i = 0; i < layers; i++) {
            assertEquals(i < 4 ? GgmlType.Q5_K : GgmlType.Q4_K, p.entry("blk." + i + ".attn_v.weight").to(), "layer " + i);
            assertEquals(i < 2 ? GgmlType.Q5_K : GgmlType.Q4_K, p.entry("blk." + i + ".ffn_down.weight").to(), "layer " + i);
        }
    }

    @Test
    void tied_embeddings_get_the_output_rule_and_q8_0_models_keep_q8_0_output() {
        QuantizationPlan tied = plan(llama(2, 256, 768, false), 2, QuantType.Q5_0, false);
        assertEquals(GgmlType.Q6_K, tied.entry("token_embd.weight").to());
        QuantizationPlan q8 = plan(llama(2, 256, 768, true), 2, QuantType.Q8_0, false);
        assertEquals(GgmlType.Q8_0, q8.entry("output.weight").to());
        assertTrue(q8.entries().stream().filter(QuantizationPlan.Entry::converts).allMatch(e -> e.to() == GgmlType.Q8_0));
    }

    @Test
    void rows_that_do_not_fit_the_blocks_fall_back_like_llama_quantize() {
        // dim 64: K-quants do not fit; ffn 172: not even 32-blocks fit (ffn_down rows)
        QuantizationPlan p = plan(llama(5, 64, 172, true), 5, QuantType.Q4_K_M, false);
        assertEquals(GgmlType.Q8_0, p.entry("output.weight").to(), "output: rows of 64 do not fit Q4_K -> Q8_0");
        assertEquals(GgmlType.Q5_0, p.entry("blk.0.attn_q.weight").to(), "Q4_K -> Q5_0");
        assertEquals(GgmlType.Q8_0, p.entry("blk.2.attn_v.weight").to(), "Q6_K -> Q8_0");
        assertEquals(GgmlType.Q5_0, p.entry("blk.1.attn_v.weight").to());
        assertEquals(GgmlType.F16, p.entry("blk.0.ffn_down.weight").to(), "rows of 172 -> F16");
        QuantizationPlan q5k = plan(llama(1, 64, 128, true), 1, QuantType.Q5_K_S, true);
        assertEquals(GgmlType.Q5_1, q5k.entry("blk.0.attn_q.weight").to(), "Q5_K -> Q5_1");
        QuantizationPlan q4 = plan(llama(1, 64, 172, true), 1, QuantType.Q4_0, true);
        assertEquals(GgmlType.F16, q4.entry("blk.0.ffn_down.weight").to(), "Q4_0 with rows of 172 -> F16");
        assertEquals(GgmlType.Q4_0, q4.entry("blk.0.ffn_up.weight").to());
    }

    @Test
    void pure_gives_every_matrix_the_default_type_including_embeddings_and_output() {
        QuantizationPlan p = plan(llama(4, 256, 768, true), 4, QuantType.Q4_K_M, true);
        for (QuantizationPlan.Entry e : p.entries()) {
            GgmlType want = e.shape().length == 1 ? GgmlType.F32 : GgmlType.Q4_K;
            assertEquals(want, e.to(), e.name());
        }
    }

    @Test
    void tensors_are_written_by_layer_then_by_name() {
        QuantizationPlan p = plan(llama(11, 256, 768, true), 11, QuantType.Q8_0, false);
        List<String> names = p.entries().stream().map(QuantizationPlan.Entry::name).toList();
        assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight",
                "blk.0.attn_norm.weight", "blk.0.attn_output.weight", "blk.0.attn_q.weight", "blk.0.attn_v.weight",
                "blk.0.ffn_down.weight", "blk.0.ffn_gate.weight", "blk.0.ffn_norm.weight", "blk.0.ffn_up.weight",
                "blk.1.attn_k.weight"), names.subList(0, 13));
        assertTrue(names.indexOf("blk.2.attn_k.weight") < names.indexOf("blk.10.attn_k.weight"), "numeric layer order");
    }

    @Test
    void f16_converts_matrices_without_mixture_rules() {
        QuantizationPlan p = plan(llama(2, 64, 172, true), 2, QuantType.F16, false);
        assertEquals(GgmlType.F16, p.entry("output.weight").to());
        assertEquals(GgmlType.F16, p.entry("blk.1.ffn_down.weight").to());
        assertFalse(p.entry("blk.1.ffn_norm.weight").converts());
    }

    @Test
    void type_names_parse_with_llama_quantize_aliases() {
        assertEquals(QuantType.Q4_K_M, QuantType.parse("q4_k"));
        assertEquals(QuantType.Q5_K_M, QuantType.parse("Q5_K"));
        assertEquals(15, QuantType.Q4_K_M.fileType());
        assertEquals(7, QuantType.Q8_0.fileType());
        var e = assertThrows(IllegalArgumentException.class, () -> QuantType.parse("IQ2_XXS"));
        assertTrue(e.getMessage().contains("IQ2_XXS"), e.getMessage());
    }

    @Test
    void mxfp4_moe_gives_mxfp4_to_expert_tensors_and_q8_0_to_every_other_matrix() {
        // a gpt-oss-like layer: 3-D expert tensors [experts, rows, cols], a router, attention, sinks
        List<QuantizationPlan.Source> t = new ArrayList<>(List.of(src("token_embd.weight", 512, 64),
                src("output.weight", 512, 64), src("output_norm.weight", 64)));
        for (int i = 0; i < 2; i++) {
            String b = "blk." + i + ".";
            t.add(src(b + "ffn_gate_exps.weight", 4, 96, 64));
            t.add(src(b + "ffn_up_exps.weight", 4, 96, 64));
            t.add(src(b + "ffn_down_exps.weight", 4, 64, 96));
            t.add(src(b + "ffn_gate_inp.weight", 4, 64));
            t.add(src(b + "attn_q.weight", 64, 64));
            t.add(src(b + "attn_v.weight", 16, 64));
            t.add(src(b + "attn_sinks.weight", 8));
            t.add(src(b + "odd_exps.weight", 4, 8, 40)); // rows that MXFP4 blocks do not fit
        }
        QuantizationPlan p = QuantizationPlan.of(t, new QuantizationPlan.Model("gpt-oss", 2, 4, false), QuantType.MXFP4_MOE,
                false);
        for (int i = 0; i < 2; i++) {
            String b = "blk." + i + ".";
            assertEquals(GgmlType.MXFP4, p.entry(b + "ffn_gate_exps.weight").to());
            assertEquals(GgmlType.MXFP4, p.entry(b + "ffn_up_exps.weight").to());
            assertEquals(GgmlType.MXFP4, p.entry(b + "ffn_down_exps.weight").to());
            assertEquals(GgmlType.F32, p.entry(b + "ffn_gate_inp.weight").to(), "the router is never quantized");
            assertEquals(GgmlType.Q8_0, p.entry(b + "attn_q.weight").to());
            assertEquals(GgmlType.Q8_0, p.entry(b + "attn_v.weight").to());
            assertEquals(GgmlType.F32, p.entry(b + "attn_sinks.weight").to());
            assertEquals(GgmlType.F16, p.entry(b + "odd_exps.weight").to(), "40 columns: no 32-block type fits");
        }
        assertEquals(GgmlType.Q8_0, p.entry("output.weight").to());
        assertEquals(GgmlType.Q8_0, p.entry("token_embd.weight").to());
        assertEquals(38, QuantType.MXFP4_MOE.fileType());
        assertEquals(QuantType.MXFP4_MOE, QuantType.parse("mxfp4_moe"));
        QuantizationPlan pure = QuantizationPlan.of(t, new QuantizationPlan.Model("gpt-oss", 2, 4, false),
                QuantType.MXFP4_MOE, true);
        assertEquals(GgmlType.MXFP4, pure.entry("blk.0.attn_q.weight").to(), "--pure: every matrix gets MXFP4");
    }
}
