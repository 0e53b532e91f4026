package dev.panamax.transformer.lora;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.quant.Quants;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A LoRA adapter read into memory: llama.cpp's GGUF adapter ({@code general.type = adapter},
 * {@code adapter.type = lora}) or a PEFT directory ({@code adapter_config.json} +
 * {@code adapter_model.safetensors}). Its factors are held as F32 on the host (an adapter is small),
 * keyed by the base tensor they change under llama.cpp's name ({@code blk.0.attn_q.weight}), in the
 * row order of the file they came from (see {@link #rowOrder()}).
 *
 * <p>The factor of {@code b · a} follows llama.cpp and PEFT exactly: {@code scale · alpha / r}, or
 * {@code scale · alpha / √r} with rsLoRA (PEFT only), where {@code r} is the tensor's own rank;
 * a GGUF adapter without an alpha (0) applies {@code scale} alone, as llama.cpp does.
 */
public final class LoraAdapter {
    /** Whose Q/K row order the factors of {@code attn_q}/{@code attn_k} follow. */
    public enum RowOrder {
        /** llama.cpp's: for llama, the rows within each head interleaved by the converter. */
        GGUF,
        /** transformers' (PEFT adapters). */
        HUGGING_FACE
    }

    private final Path source;
    private final String kind;
    private final float alpha;
    private final boolean rsLora;
    private final RowOrder rowOrder;
    private final List<String> declaredTargets;
    private final Map<String, LoraFactors> factors;

    LoraAdapter(Path source, String kind, float alpha, boolean rsLora, RowOrder rowOrder, List<String> declaredTargets,
                Map<String, LoraFactors> factors) {
        if (factors.isEmpty()) {
            throw new FormatException(source, "tensors", 0, "a LoRA adapter needs at least one lora_a/lora_b pair");
        }
        this.source = source;
        this.kind = kind;
        this.alpha = alpha;
        this.rsLora = rsLora;
        this.rowOrder = rowOrder;
        this.declaredTargets = List.copyOf(declaredTargets);
        this.factors = Collections.unmodifiableMap(new TreeMap<>(factors));
    }

    /**
     * Reads a GGUF adapter file, or a PEFT adapter directory (or its {@code adapter_config.json}).
     *
     * @param path a {@code .gguf} adapter, a PEFT adapter directory or its {@code adapter_config.json}
     * @return the adapter, its tensors mapped
     * @throws FormatException naming the file, field and value for anything that is not a LoRA adapter we can apply
     */
    public static LoraAdapter open(Path path) {
        if (Files.isDirectory(path) || path.getFileName().toString().equals("adapter_config.json")) {
            return PeftAdapterReader.read(Files.isDirectory(path) ? path : path.toAbsolutePath().getParent());
        }
        return readGguf(path);
    }

    /**
     * True if {@code path} is a GGUF adapter or a PEFT adapter directory (for {@code inspect}).
     *
     * @param path any path
     * @return whether it holds an adapter
     */
    public static boolean isAdapter(Path path) {
        if (Files.isDirectory(path)) {
            return Files.isRegularFile(path.resolve("adapter_config.json"));
        }
        try (GgufFile g = GgufFile.open(path)) {
            return g.metadata().findString("general.type").map("adapter"::equals).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static LoraAdapter readGguf(Path path) {
        try (GgufFile g = GgufFile.open(path)) {
            String type = g.metadata().findString("general.type").orElse("(none)");
            if (!type.equals("adapter")) {
                throw new FormatException(path, "general.type", type, "a LoRA adapter has general.type = adapter");
            }
            String adapterType = g.metadata().findString("adapter.type").orElse("(none)");
            if (!adapterType.equals("lora")) {
                throw new FormatException(path, "adapter.type", adapterType, "only LoRA adapters (adapter.type = lora) are supported");
            }
            float alpha = g.metadata().findFloat("adapter.lora.alpha").orElse(0f);
            Arena arena = Arena.ofAuto();
            Map<String, Tensor> as = new TreeMap<>(), bs = new TreeMap<>();
            for (GgufTensorInfo info : g.tensorInfos()) {
                String name = info.name();
                if (name.endsWith(".lora_a")) {
                    as.put(name.substring(0, name.length() - 7), factor(path, name, g.tensor(info), arena));
                } else if (name.endsWith(".lora_b")) {
                    bs.put(name.substring(0, name.length() - 7), factor(path, name, g.tensor(info), arena));
                } else {
                    throw new FormatException(path, name, info.type(), "a LoRA adapter holds only <tensor>.lora_a and <tensor>.lora_b");
                }
            }
            return new LoraAdapter(path, "GGUF", alpha, false, RowOrder.GGUF, List.of(), pair(path, as, bs, ".lora_a", ".lora_b"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path, e);
        }
    }

    /** Matches each {@code a} with its {@code b} and checks {@code a [r, in]}, {@code b [out, r]}. */
    static Map<String, LoraFactors> pair(Path file, Map<String, Tensor> as, Map<String, Tensor> bs, String aSuffix, String bSuffix) {
        Map<String, LoraFactors> out = new TreeMap<>();
        for (var e : as.entrySet()) {
            Tensor a = e.getValue(), b = bs.get(e.getKey());
            if (b == null) {
                throw new FormatException(file, e.getKey() + aSuffix, "no " + bSuffix, "every lora_a needs its lora_b");
            }
            if (!fits(e.getKey(), a, b)) {
                throw new FormatException(file, e.getKey() + aSuffix, java.util.Arrays.toString(a.shape()) + " and "
                        + java.util.Arrays.toString(b.shape()), "lora_a must be [r, in] and lora_b [out, r] with the same r"
                        + " ([experts, r, in] and [experts, out, r] for stacked experts; [vocab, r] and [dim, r] for token_embd)");
            }
            out.put(e.getKey(), new LoraFactors(a, b));
        }
        for (String name : bs.keySet()) {
            if (!as.containsKey(name)) {
                throw new FormatException(file, name + bSuffix, "no " + aSuffix, "every lora_b needs its lora_a");
            }
        }
        return out;
    }

    /** Whether {@code a} and {@code b} have one of llama.cpp's layouts, with the same rank r. */
    private static boolean fits(String name, Tensor a, Tensor b) {
        if (a.rank() == 3 && b.rank() == 3) { // build_lora_mm_id: one pair per expert
            return a.size(0) == b.size(0) && a.size(1) == b.size(2);
        }
        if (a.rank() != 2 || b.rank() != 2) {
            return false;
        }
        // llm_build_inp_embd: the rows of lora_a [vocab, r] are looked up, lora_b [dim, r] is not transposed
        return name.endsWith("token_embd.weight") ? a.size(1) == b.size(1) : a.size(0) == b.size(1);
    }

    /**
     * F32, F16, BF16 and Q8_0 factors (what convert_lora_to_gguf.py writes) copied to the host: the
     * float types as they are (a session keeps F16 and BF16 factors in their type), Q8_0 decoded to F32.
     */
    static Tensor factor(Path file, String name, Tensor t, Arena arena) {
        return switch (t.dtype()) {
            case F32, F16, BF16 -> t.to(arena, t.dtype());
            case Q8_0 -> Quants.dequantize(arena, t);
            default -> throw new FormatException(file, name, t.dtype(), "LoRA factors must be F32, F16, BF16 or Q8_0");
        };
    }

    /**
     * The factor of {@code b · a} for a tensor of rank {@code rank} at the user's {@code scale}.
     *
     * @param rank  the rank of the tensor's {@code a} and {@code b}
     * @param scale the user's strength (1 as trained)
     * @return {@code scale * alpha / rank} ({@code / sqrt(rank)} for rsLoRA; {@code scale} alone for a GGUF adapter without alpha)
     */
    public float scale(int rank, float scale) {
        if (alpha == 0 && rowOrder == RowOrder.GGUF) {
            return scale; // llama.cpp: no alpha means the user's scale alone
        }
        return (float) (scale * alpha / (rsLora ? Math.sqrt(rank) : rank));
    }

    /** {@return the file or directory read} */
    public Path source() {
        return source;
    }

    /** {@return "GGUF" or "PEFT"} */
    public String kind() {
        return kind;
    }

    /** {@return {@code lora_alpha} ({@code adapter.lora.alpha}); 0 if a GGUF adapter has none} */
    public float alpha() {
        return alpha;
    }

    /** {@return whether the factor is {@code alpha / √r} (rsLoRA) rather than {@code alpha / r}} */
    public boolean rsLora() {
        return rsLora;
    }

    /** {@return how the adapter's rows are ordered relative to the model's weights} */
    public RowOrder rowOrder() {
        return rowOrder;
    }

    /** {@return the largest rank of any tensor (usually all have the same)} */
    public int rank() {
        return factors.values().stream().mapToInt(LoraFactors::rank).max().orElse(0);
    }

    /** {@return the adapted base tensors under llama.cpp's names, e.g. {@code blk.0.attn_q.weight}} */
    public Map<String, LoraFactors> factors() {
        return factors;
    }

    /**
     * {@return the kinds of projection adapted, e.g. {@code [attn_k, attn_q, ffn_down]} (the names without the
     * layer)}
     */
    public List<String> targets() {
        TreeSet<String> t = new TreeSet<>();
        for (String name : factors.keySet()) {
            String n = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : name;
            t.add(n.startsWith("blk.") ? n.substring(n.indexOf('.', 4) + 1) : n);
        }
        return List.copyOf(t);
    }

    /** {@return PEFT's {@code target_modules} as written (empty for GGUF adapters)} */
    public List<String> declaredTargets() {
        return declaredTargets;
    }

    @Override
    public String toString() {
        return kind + " LoRA " + source + " (rank " + rank() + ", alpha " + alpha + (rsLora ? ", rsLoRA" : "") + ")";
    }
}
