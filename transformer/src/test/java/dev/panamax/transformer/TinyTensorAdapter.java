package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
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
}
