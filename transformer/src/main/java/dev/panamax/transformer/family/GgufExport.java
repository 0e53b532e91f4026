package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.WeightSource;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * A Hugging Face checkpoint's weights and hyper-parameters under llama.cpp's names and keys, as its
 * {@code convert_hf_to_gguf.py} writes them, for every decoder family this project reads in both
 * formats. What a family changes on the way is in its own {@code *Export} class ({@link LlamaExport}:
 * Q/K permuted, Mixtral's experts stacked, Granite's scalars; {@link QwenExport}; {@link GemmaExport}:
 * norms {@code 1 + w}; {@link Phi3Export}: LongRoPE factors; {@link Olmo2Export};
 * {@link Starcoder2Export}; {@link GptOssExport}: MXFP4 experts re-packed; {@link DeepSeek2Export}:
 * {@code kv_b} split); the shared steps are {@link ExportWriter}'s. Matrices keep the checkpoint's type
 * (F32, F16, BF16; FP8 arrives as BF16, MXFP4 stays MXFP4); vectors and the tensors a family rewrites
 * are written in F32. Features llama.cpp would read differently are refused by name.
 */
public final class GgufExport {
    private GgufExport() {
    }

    /** The family names this converts, in {@link Families}' order. */
    public static final List<String> FAMILIES = List.of("llama", "qwen2", "qwen2moe", "qwen3", "qwen3moe", "gemma", "gemma2", "gemma3",
            "gpt-oss", "phi3", "olmo2", "granite", "starcoder2", "deepseek2");

    /**
     * Adds {@code config}'s metadata ({@code general.architecture}, {@code <arch>.*}) and every weight
     * of {@code weights} (a Hugging Face checkpoint) to {@code out}; tensors made here live in {@code arena}.
     *
     * @param config  the checkpoint's configuration, as its family read it
     * @param weights the checkpoint's tensors
     * @param out     the GGUF file being written
     * @param arena   owns the tensors made here
     * @throws UnsupportedModelException for a family or a feature this does not convert
     */
    public static void write(FamilyConfig config, WeightSource weights, GgufWriter out, Arena arena) {
        ExportWriter w = new ExportWriter(weights, out, arena);
        switch (config) {
            case Llama.Config l -> LlamaExport.llama(l, w);
            case Granite.Config g -> LlamaExport.granite(g, w);
            case Qwen2.Config q -> QwenExport.dense("qwen2", q.common(), w);
            case Qwen3.Config q -> QwenExport.dense("qwen3", q.common(), w);
            case Qwen2Moe.Config q -> QwenExport.qwen2moe(q, w);
            case Qwen3Moe.Config q -> QwenExport.qwen3moe(q, w);
            case Gemma.Config g -> GemmaExport.gemma(g, w);
            case Gemma2.Config g -> GemmaExport.gemma2or3(g, w);
            case Phi3.Config p -> Phi3Export.phi3(p, w);
            case Olmo2.Config o -> Olmo2Export.olmo2(o, w);
            case Starcoder2.Config s -> Starcoder2Export.starcoder2(s, w);
            case GptOss.Config g -> GptOssExport.gptOss(g, w);
            case DeepSeek2.Config d -> DeepSeek2Export.deepSeek2(d, w);
            default -> throw new UnsupportedModelException(weights.file() + ": converting family '" + config.familyName()
                    + "' to GGUF is not supported (supported: " + String.join(", ", FAMILIES) + ")");
        }
    }
}
