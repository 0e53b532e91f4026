package dev.panamax.transformer.lora;

import dev.panamax.formats.FormatException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEFT's module names (transformers') to llama.cpp's tensor names, for every module llama.cpp's graph
 * applies an adapter to: the dense projections, the MoE router, the routed experts (one module per
 * expert in transformers, stacked into one tensor in GGUF), the shared expert and its gate, the
 * output, and the token embedding. What is not listed is refused naming the module.
 */
final class PeftModuleNames {
    /** Where one module's factors go: the GGUF tensor, and for a routed expert its index (else -1). */
    record Target(String tensor, int expert) {
    }

    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    /** Qwen-MoE, DeepSeek, OLMoE ({@code mlp.experts.N.gate_proj}) and Mixtral ({@code block_sparse_moe.experts.N.w1}). */
    private static final Pattern EXPERT = Pattern.compile("(?:mlp|block_sparse_moe)\\.experts\\.(\\d+)\\.(gate_proj|up_proj|down_proj|w1|w2|w3)");
    private static final Map<String, String> EXPERT_PROJECTIONS = Map.of("gate_proj", "ffn_gate_exps", "w1", "ffn_gate_exps",
            "up_proj", "ffn_up_exps", "w3", "ffn_up_exps", "down_proj", "ffn_down_exps", "w2", "ffn_down_exps");
    private static final Map<String, String> LAYER_MODULES = Map.ofEntries(
            Map.entry("self_attn.q_proj", "attn_q"), Map.entry("self_attn.k_proj", "attn_k"), Map.entry("self_attn.v_proj", "attn_v"),
            Map.entry("self_attn.o_proj", "attn_output"), Map.entry("mlp.gate_proj", "ffn_gate"), Map.entry("mlp.up_proj", "ffn_up"),
            Map.entry("mlp.down_proj", "ffn_down"),
            Map.entry("mlp.gate", "ffn_gate_inp"), Map.entry("block_sparse_moe.gate", "ffn_gate_inp"),
            Map.entry("mlp.shared_expert.gate_proj", "ffn_gate_shexp"), Map.entry("mlp.shared_expert.up_proj", "ffn_up_shexp"),
            Map.entry("mlp.shared_expert.down_proj", "ffn_down_shexp"),
            Map.entry("mlp.shared_experts.gate_proj", "ffn_gate_shexp"), Map.entry("mlp.shared_experts.up_proj", "ffn_up_shexp"),
            Map.entry("mlp.shared_experts.down_proj", "ffn_down_shexp"),
            Map.entry("mlp.shared_expert_gate", "ffn_gate_inp_shexp"));
    private static final String MODULES = "q/k/v/o_proj, gate/up/down_proj, the MoE router mlp.gate or block_sparse_moe.gate,"
            + " mlp.experts.N.gate/up/down_proj, block_sparse_moe.experts.N.w1/w2/w3, the shared expert and its gate, lm_head;"
            + " model.embed_tokens through lora_embedding_A/B";

    private PeftModuleNames() {
    }

    /** {@code model.layers.3.self_attn.q_proj} to {@code blk.3.attn_q.weight}, {@code ...experts.5.w1} to expert 5 of {@code blk.N.ffn_gate_exps.weight}. */
    static Target projection(Path file, String tensor, String module) {
        if (module.equals("lm_head")) {
            return new Target("output.weight", -1);
        }
        Matcher layer = LAYER.matcher(module);
        if (layer.matches()) {
            String block = "blk." + Integer.parseInt(layer.group(1)) + ".";
            String gguf = LAYER_MODULES.get(layer.group(2));
            if (gguf != null) {
                return new Target(block + gguf + ".weight", -1);
            }
            Matcher expert = EXPERT.matcher(layer.group(2));
            if (expert.matches()) {
                return new Target(block + EXPERT_PROJECTIONS.get(expert.group(2)) + ".weight", Integer.parseInt(expert.group(1)));
            }
        }
        throw new FormatException(file, tensor, module, "not a module LoRA can adapt here (" + MODULES + ")");
    }

    /** {@code model.embed_tokens} (an {@code nn.Embedding}, whose factors PEFT calls lora_embedding_A/B) to {@code token_embd.weight}. */
    static String embedding(Path file, String tensor, String module) {
        if (module.equals("model.embed_tokens")) {
            return "token_embd.weight";
        }
        throw new FormatException(file, tensor, module, "lora_embedding_A/B adapt the token embedding, model.embed_tokens, only");
    }
}
