package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A random GGUF LoRA adapter on any tensors of a {@link TinyModel}, in llama.cpp's layouts: a matrix
 * {@code W [out, in]} (a vector {@code [in]} as {@code [1, in]}) takes {@code a [r, in]}, {@code b [out, r]};
 * stacked experts {@code [E, out, in]} take {@code a [E, r, in]}, {@code b [E, out, r]}
 * ({@code build_lora_mm_id}); the token embedding {@code [vocab, dim]} takes {@code a [vocab, r]},
 * {@code b [dim, r]} with {@code ΔE[t] = b · a[t]} ({@code llm_build_inp_embd}). Names are GGUF's and
 * the factors are in the GGUF file's row order.
 */
public final class TinyTensorAdapter {
    final String arch;
    final Map<String, long[]> shapes;
    final int rank;
    final float alpha;
    final List<String> targets;
    final Map<String, float[]> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();

    TinyTensorAdapter(TinyModel model, List<String> targets, int rank, float alpha, Random r) {
        this(model.arch, model.shapes, targets, rank, alpha, r);
    }

    /** @param shapes the base tensors' shapes by GGUF name, outermost first (as {@link TinyModel#shapes}) */
    public TinyTensorAdapter(String arch, Map<String, long[]> shapes, List<String> targets, int rank, float alpha, Random r) {
        this.arch = arch;
        this.shapes = shapes;
        this.rank = rank;
        this.alpha = alpha;
        this.targets = List.copyOf(targets);
        for (String name : targets) {
            long[] s = shape(name);
            if (embedding(name)) {
                a.put(name, Seeded.gaussian(r, (int) s[0] * rank, 1));
                b.put(name, Seeded.gaussian(r, (int) s[1] * rank, 0.5 / Math.sqrt(rank)));
            } else {
                int experts = s.length == 3 ? (int) s[0] : 1;
                long out = s[s.length - 2], in = s[s.length - 1];
                a.put(name, Seeded.gaussian(r, experts * rank * (int) in, 1 / Math.sqrt(in)));
                b.put(name, Seeded.gaussian(r, experts * (int) out * rank, 0.5 / Math.sqrt(rank)));
            }
        }
    }

    /** The shapes of a GGUF file's tensors by name, outermost first. */
    public static Map<String, long[]> shapesOf(Path gguf) throws IOException {
        Map<String, long[]> out = new LinkedHashMap<>();
        try (dev.panamax.formats.gguf.GgufFile g = dev.panamax.formats.gguf.GgufFile.open(gguf)) {
            for (dev.panamax.formats.gguf.GgufTensorInfo t : g.tensorInfos()) {
                out.put(t.name(), t.shape());
            }
        }
        return out;
    }

    /** The names of {@code gguf}'s tensors that end with one of {@code suffixes} (".attn_q.weight"). */
    public static List<String> named(Map<String, long[]> shapes, String... suffixes) {
        return shapes.keySet().stream().filter(n -> java.util.Arrays.stream(suffixes).anyMatch(n::endsWith)).toList();
    }

    private static boolean embedding(String name) {
        return name.equals("token_embd.weight");
    }

    /** The base tensor's shape, a vector as {@code [1, in]}. */
    private long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException(name + " is not a tensor of the model");
        }
        return s.length == 1 ? new long[] {1, s[0]} : s;
    }

    /** {@code weights} (GGUF order) plus {@code scale · alpha / rank} times each change, summed in double and rounded once. */
    Map<String, float[]> applied(Map<String, float[]> weights, double scale) {
        Map<String, float[]> out = new LinkedHashMap<>(weights);
        double s = scale * alpha / rank;
        for (String name : targets) {
            long[] shape = shape(name);
            float[] w = weights.get(name), av = a.get(name), bv = b.get(name);
            float[] merged = new float[w.length];
            if (embedding(name)) {
                int vocab = (int) shape[0], dim = (int) shape[1];
                for (int t = 0; t < vocab; t++) {
                    for (int j = 0; j < dim; j++) {
                        double d = 0;
                        for (int k = 0; k < rank; k++) {
                            d += (double) bv[j * rank + k] * av[t * rank + k];
                        }
                        merged[t * dim + j] = (float) (w[t * dim + j] + s * d);
                    }
                }
            } else {
                int experts = shape.length == 3 ? (int) shape[0] : 1;
                int rows = (int) shape[shape.length - 2], cols = (int) shape[shape.length - 1];
                for (int e = 0; e < experts; e++) {
                    int wo = e * rows * cols, ao = e * rank * cols, bo = e * rows * rank;
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < cols; j++) {
                            double d = 0;
                            for (int k = 0; k < rank; k++) {
                                d += (double) bv[bo + i * rank + k] * av[ao + k * cols + j];
                            }
                            merged[wo + i * cols + j] = (float) (w[wo + i * cols + j] + s * d);
                        }
                    }
                }
            }
            out.put(name, merged);
        }
        return out;
    }

    /** llama.cpp's adapter file, the factors stored as {@code type} (F32 or F16). */
    public Path writeGguf(Path file, DType type) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch);
        w.putString("general.type", "adapter");
        w.putString("adapter.type", "lora");
        w.putFloat32("adapter.lora.alpha", alpha);
        try (Arena arena = Arena.ofConfined()) {
            for (String name : targets) {
                long[] s = shape(name);
                long[] as, bs;
                if (embedding(name)) {
                    as = new long[] {s[0], rank};
                    bs = new long[] {s[1], rank};
                } else if (s.length == 3) {
                    as = new long[] {s[0], rank, s[2]};
                    bs = new long[] {s[0], s[1], rank};
                } else {
                    as = new long[] {rank, s[1]};
                    bs = new long[] {s[0], rank};
                }
                w.addTensor(name + ".lora_a", Tensor.of(arena, a.get(name), as).to(arena, type));
                w.addTensor(name + ".lora_b", Tensor.of(arena, b.get(name), bs).to(arena, type));
            }
            w.write(file);
        }
        return file;
    }

    /** transformers' module of each adaptable GGUF tensor (a routed expert's with {@code {e}}), Qwen-MoE's and Mixtral's names. */
    private static final Map<String, String> QWEN_MODULES = Map.of("attn_q", "self_attn.q_proj", "ffn_gate_inp", "mlp.gate",
            "ffn_gate_shexp", "mlp.shared_expert.gate_proj", "ffn_up_shexp", "mlp.shared_expert.up_proj",
            "ffn_down_shexp", "mlp.shared_expert.down_proj", "ffn_gate_inp_shexp", "mlp.shared_expert_gate",
            "ffn_gate_exps", "mlp.experts.{e}.gate_proj", "ffn_up_exps", "mlp.experts.{e}.up_proj", "ffn_down_exps", "mlp.experts.{e}.down_proj");
    private static final Map<String, String> MIXTRAL_MODULES = Map.of("ffn_gate_inp", "block_sparse_moe.gate",
            "ffn_gate_exps", "block_sparse_moe.experts.{e}.w1", "ffn_up_exps", "block_sparse_moe.experts.{e}.w3",
            "ffn_down_exps", "block_sparse_moe.experts.{e}.w2");

    /**
     * The same factors as PEFT saves them: one {@code lora_A/lora_B} pair per routed expert
     * ({@code mlp.experts.E.gate_proj}, or Mixtral's {@code block_sparse_moe.experts.E.w1}), and the
     * embedding's {@code lora_embedding_A [r, vocab]} (llama.cpp's {@code a} transposed),
     * {@code lora_embedding_B [dim, r]}. Only for tensors whose rows need no Q/K reordering.
     */
    Path writePeft(Path dir, boolean mixtralNames) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("adapter_config.json"), """
                {"peft_type": "LORA", "r": %d, "lora_alpha": %s, "target_modules": ["w1", "w2", "w3", "gate_proj", "up_proj",
                 "down_proj", "gate", "shared_expert_gate", "q_proj", "embed_tokens"], "modules_to_save": null}
                """.formatted(rank, Float.toString(alpha)));
        Map<String, String> modules = mixtralNames ? MIXTRAL_MODULES : QWEN_MODULES;
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            for (String name : targets) {
                long[] s = shape(name);
                float[] av = a.get(name), bv = b.get(name);
                if (embedding(name)) {
                    Tensor at = Tensor.of(arena, av, s[0], rank).transpose(0, 1).to(arena, DType.F32);
                    w.add("base_model.model.model.embed_tokens.lora_embedding_A", at);
                    w.add("base_model.model.model.embed_tokens.lora_embedding_B", Tensor.of(arena, bv, s[1], rank));
                    continue;
                }
                String[] p = name.split("\\.");
                String module = modules.get(p[2]);
                if (module == null) {
                    throw new IllegalArgumentException("no PEFT module name for " + name);
                }
                int experts = s.length == 3 ? (int) s[0] : 1;
                long out = s[s.length - 2], in = s[s.length - 1];
                for (int e = 0; e < experts; e++) {
                    String prefix = "base_model.model.model.layers." + p[1] + "." + module.replace("{e}", Integer.toString(e));
                    float[] ae = java.util.Arrays.copyOfRange(av, (int) (e * rank * in), (int) ((e + 1) * rank * in));
                    float[] be = java.util.Arrays.copyOfRange(bv, (int) (e * out * rank), (int) ((e + 1) * out * rank));
                    w.add(prefix + ".lora_A.weight", Tensor.of(arena, ae, rank, in));
                    w.add(prefix + ".lora_B.weight", Tensor.of(arena, be, out, rank));
                }
            }
            w.write(dir.resolve("adapter_model.safetensors"));
        }
        return dir;
    }
}
