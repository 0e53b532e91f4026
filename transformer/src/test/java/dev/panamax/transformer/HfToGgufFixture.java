package dev.panamax.transformer;

import dev.panamax.formats.safetensors.SafetensorsDType;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.StandardCopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fixed-seed tiny Hugging Face checkpoints that {@link HfToGgufTest} converts and llama.cpp ran
 * (docs/models.md): each with a byte-level BPE {@code tokenizer.json} of the model's tokens.
 * {@code main(dir)} writes them and their GGUF conversions for {@code /work/tools/llama-ref/run.sh}.
 */
final class HfToGgufFixture {
    /** The families converted. */
    static final List<String> KINDS = List.of("llama", "qwen2", "qwen3", "gemma3", "deepseek2", "deepseek2-lite");
    /**
     * The checkpoints of the other families ({@link HfToGgufFamiliesTest}): Mixtral, the Qwen mixtures (a
     * shared expert and its gate), Gemma 1/2 (soft-caps, window 4), Gemma 3 as Gemma3ForConditionalGeneration,
     * Phi-3 (fused QKV and gate-up, 3/4 rotary, LongRoPE, window 5), OLMo 2, Granite (scalars, biases),
     * StarCoder 2 (LayerNorms, biases, window 5, tied without saying so), gpt-oss (MXFP4 experts and their
     * dequantized form).
     */
    static final List<String> FAMILY_KINDS = List.of("mixtral", "qwen2moe", "qwen3moe", "gemma", "gemma2", "gemma3-vlm", "phi3",
            "olmo2", "granite", "starcoder2", "gpt-oss", "gpt-oss-dense");

    private HfToGgufFixture() {
    }

    /** Writes checkpoint {@code kind} into {@code dir} (seed fixed per kind). */
    static Path checkpoint(String kind, Path dir) throws IOException {
        int index = KINDS.contains(kind) ? KINDS.indexOf(kind) : KINDS.size() + FAMILY_KINDS.indexOf(kind);
        Random r = new Random(40 + index);
        Path hf = switch (kind) {
            case "llama" -> TinyModel.llama(r).writeHf(dir);
            case "qwen2" -> TinyModel.qwen2(r).writeHf(dir);
            case "qwen3" -> TinyModel.qwen3(r, false).writeHf(dir);
            case "gemma3" -> TinyGemma.gemma3(r, true).writeHf(dir);
            // DeepSeek V3: q LoRA, YaRN x4 with mscale = mscale_all_dim, FP8 projections with block scales
            case "deepseek2" -> toFp8(new TinyDeepSeek(r, 24, 4, true).writeHf(dir, DType.BF16));
            // DeepSeek-V2-Lite's configuration (deepseek_v2: plain q_proj, softmax routing without renormalization, YaRN x40), BF16
            case "deepseek2-lite" -> TinyDeepSeek.v2Lite(r, true).writeHf(dir, DType.BF16);
            case "mixtral" -> TinyModel.mixtral(r).writeHf(dir);
            case "qwen2moe" -> TinyModel.qwen2moe(r).writeHf(dir);
            case "qwen3moe" -> TinyModel.qwen3moe(r).writeHf(dir);
            case "gemma" -> TinyGemma.gemma(r).writeHf(dir);
            case "gemma2" -> TinyGemma.gemma2(r).writeHf(dir);
            case "gemma3-vlm" -> TinyGemma.gemma3(r, false).writeHf(dir, true, "");
            case "phi3" -> TinyFamilies.phi3(r, false, 12, 5, TinyFamilies.longRope(r, 12, 16)).writeHf(dir);
            case "olmo2" -> TinyFamilies.olmo2(r, false).writeHf(dir);
            case "granite" -> TinyFamilies.granite(r, false, true, new TinyFamilies.GraniteScales(12, 0.22, 0.05, 8)).writeHf(dir);
            case "starcoder2" -> TinyFamilies.starcoder2(r, true, false, 5).writeHf(dir);
            case "gpt-oss" -> new TinyGptOss(r).writeHf(dir, true);
            case "gpt-oss-dense" -> new TinyGptOss(r).writeHf(dir, true, true);
            default -> throw new IllegalArgumentException(kind);
        };
        Files.writeString(hf.resolve("tokenizer.json"), tokenizerJson(vocabulary(kind)));
        return hf;
    }

    /** The model's embedding rows. */
    static int vocabulary(String kind) {
        return kind.startsWith("deepseek2") ? 128 : 100;
    }

    /** Rewrites the checkpoint's {@code *_proj} matrices as DeepSeek V3 stores them: FP8 E4M3 with 128x128 {@code weight_scale_inv}. */
    private static Path toFp8(Path hf) throws IOException {
        Path file = hf.resolve("model.safetensors"), fp8 = hf.resolve("model.fp8");
        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
        try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofConfined()) {
            for (String name : f.tensorNames()) {
                Tensor t = f.tensor(name);
                if (name.matches(".*_proj(_with_mqa)?\\.weight")) {
                    int rows = (int) t.size(0), cols = (int) t.size(1);
                    byte[] codes = new byte[rows * cols];
                    float[] scales = Fp8CheckpointTest.quantize(t.to(arena, DType.F32).toFloatArray(), rows, cols, codes);
                    w.addRaw(name, SafetensorsDType.F8_E4M3, t.shape(), MemorySegment.ofArray(codes));
                    w.add(name + "_scale_inv", Tensor.of(arena, scales, (rows + 127) / 128, (cols + 127) / 128));
                } else {
                    w.add(name, t.contiguous(arena));
                }
            }
            w.write(fp8);
        }
        Files.move(fp8, file, StandardCopyOption.REPLACE_EXISTING);
        return hf;
    }

    /**
     * A GPT-2 style tokenizer.json of {@code n} tokens: the printable ASCII bytes, byte-level
     * {@code Ġ} (space) and {@code Ċ} (newline), three merges, then {@code t<i>} fillers and one
     * special token last.
     */
    static String tokenizerJson(int n) {
        List<String> tokens = new ArrayList<>();
        for (char c = '!'; c <= '~'; c++) {
            tokens.add(c == '"' ? "\\\"" : c == '\\' ? "\\\\" : String.valueOf(c));
        }
        tokens.addAll(List.of("\u0120", "\u010a", "\u0120t", "he", "\u0120the"));
        while (tokens.size() < n - 1) {
            tokens.add("t" + tokens.size());
        }
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.append(i == 0 ? "" : ", ").append('"').append(tokens.get(i)).append("\": ").append(i);
        }
        return """
                {"version": "1.0", "added_tokens": [{"id": %d, "content": "<|end|>", "single_word": false, "lstrip": false,
                  "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                  "use_regex": true},
                 "post_processor": null, "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                 "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                  "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "vocab": {%s},
                  "merges": ["\u0120 t", "h e", "\u0120t he"]}}
                """.formatted(n - 1, vocab);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        for (String kind : KINDS) {
            Path hf = checkpoint(kind, dir.resolve(kind + "-hf"));
            Path gguf = dir.resolve(kind + ".gguf");
            HfToGguf.convert(hf, gguf);
            System.out.println(gguf);
        }
    }
}
