package dev.panamax.formats.quant;

import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.tensor.DType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Which type each tensor of a model gets when it is quantized to a {@link QuantType}, decided as
 * llama.cpp's llama-quantize decides (llama-quant.cpp at commit c392e50, without an importance matrix),
 * and the order in which the tensors are written.
 *
 * <p>The rules: only matrices named {@code *weight} are quantized (not norms, not 1-D tensors, not MoE
 * gates). With {@code pure}, all of them get the default type. Otherwise the mixture rules apply:
 * {@code output.weight} (or {@code token_embd.weight} when the model has no separate output) gets
 * Q6_K, or Q8_0 if its rows do not fit the default type's blocks (a Q8_0 model keeps Q8_0); in the
 * _M presets, {@code attn_v} and {@code ffn_down} of the "use more bits" layers (the first and last
 * eighth, and every third in between) get Q6_K; Q4_K_S gives the first four {@code attn_v} and the
 * first eighth of {@code ffn_down} Q5_K. MXFP4_MOE gives MXFP4 to the expert tensors (a third dimension
 * above 1: {@code ffn_*_exps}) and Q8_0 to every other matrix, the output included. Finally, a tensor whose rows are not a whole number of its
 * type's blocks falls back: Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, and to F16 when rows are not
 * even a multiple of 32. (llama-quantize aborts on such tensors for the 32-block types and in
 * {@code --pure} mode; we fall back to F16, as MODELS.md describes for stories260K.)
 *
 * <p>Tensors are written sorted by layer ({@code blk.N.}, others first), then by name (bytewise), the
 * order of llama.cpp's model loader.
 */
public final class QuantizationPlan {

    /**
     * One tensor: its name, shape (outermost first), stored type and the type it gets. {@code from ==
     * to} means it is copied unchanged.
     *
     * @param name  the tensor's name in the file
     * @param shape its sizes, outermost first
     * @param from  the type it is stored in now
     * @param to    the type the quantized file stores
     */
    public record Entry(String name, long[] shape, GgmlType from, GgmlType to) {
        /** Copies {@code shape}, so that the entry cannot change through the caller's array. */
        public Entry {
            shape = shape.clone();
        }

        /** {@return a copy of the tensor's sizes, outermost first} */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** {@return true if the tensor is converted, false if it is copied} */
        public boolean converts() {
            return from != to;
        }

        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape) + " " + from + (converts() ? " -> " + to : " (copied)");
        }
    }

    /** The model facts the rules look at. */
    record Model(String architecture, int blockCount, int expertCount, boolean llama70B) {
    }

    /** A tensor as the planner sees it. */
    record Source(String name, long[] shape, GgmlType type) {
    }

    private final QuantType type;
    private final boolean pure;
    private final List<Entry> entries;

    private QuantizationPlan(QuantType type, boolean pure, List<Entry> entries) {
        this.type = type;
        this.pure = pure;
        this.entries = List.copyOf(entries);
    }

    /**
     * {@return the plan for quantizing {@code file} to {@code type}; {@code pure} gives every matrix the default
     * type}
     *
     * @param file the model to quantize, open
     * @param type the file type to make (Q4_K_M, Q8_0, ...)
     * @param pure true for llama.cpp's {@code --pure}: no per-tensor exceptions to the default type
     */
    public static QuantizationPlan of(GgufFile file, QuantType type, boolean pure) {
        List<Source> sources = new ArrayList<>();
        for (GgufTensorInfo t : file.tensorInfos()) {
            sources.add(new Source(t.name(), t.shape(), t.type()));
        }
        return of(sources, model(file.metadata(), sources), type, pure);
    }

    /**
     * {@return the plan for a model that exists only as F32 tensor shapes, for writers of synthetic models: {@code
     * shapes} maps each tensor name to its shape (outermost first), for a model of {@code architecture} with {@code
     * blockCount} blocks and no experts}
     *
     * @param architecture the {@code general.architecture} the rules look at, e.g. "llama"
     * @param blockCount   the number of layers
     * @param shapes       tensor name to shape
     * @param type         the file type to make
     * @param pure         true for no per-tensor exceptions to the default type
     */
    public static QuantizationPlan forF32Tensors(String architecture, int blockCount, java.util.Map<String, long[]> shapes,
            QuantType type, boolean pure) {
        return forF32Tensors(architecture, blockCount, 0, shapes, type, pure);
    }

    /**
     * {@return as {@link #forF32Tensors(String, int, java.util.Map, QuantType, boolean)}, for a model of {@code
     * expertCount} experts}
     *
     * @param architecture the {@code general.architecture} the rules look at
     * @param blockCount   the number of layers
     * @param expertCount  the experts per layer, 0 for a dense model
     * @param shapes       tensor name to shape
     * @param type         the file type to make
     * @param pure         true for no per-tensor exceptions to the default type
     */
    public static QuantizationPlan forF32Tensors(String architecture, int blockCount, int expertCount,
            java.util.Map<String, long[]> shapes, QuantType type, boolean pure) {
        List<Source> sources = new ArrayList<>();
        shapes.forEach((name, shape) -> sources.add(new Source(name, shape, GgmlType.F32)));
        return of(sources, new Model(architecture, blockCount, expertCount, false), type, pure);
    }

    static QuantizationPlan of(List<Source> tensors, Model model, QuantType type, boolean pure) {
        Objects.requireNonNull(type, "type");
        List<Source> ordered = new ArrayList<>(tensors);
        ordered.sort(LOADER_ORDER);
        Rules rules = new Rules(type, model, ordered);
        List<Entry> entries = new ArrayList<>();
        for (Source s : ordered) {
            GgmlType to = s.type();
            if (isQuantizable(s)) {
                DType target = rules.targetType(s, pure);
                to = GgmlType.of(target);
            }
            entries.add(new Entry(s.name(), s.shape(), s.type(), to));
        }
        return new QuantizationPlan(type, pure, entries);
    }

    /** {@return the file type this plan makes} */
    public QuantType type() {
        return type;
    }

    /** {@return true if every quantized matrix gets the default type} */
    public boolean pure() {
        return pure;
    }

    /** {@return every tensor, in the order they are written} */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * {@return the entry of tensor {@code name}}
     *
     * @param name a tensor's name
     * @throws java.util.NoSuchElementException if the plan has no such tensor
     */
    public Entry entry(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new java.util.NoSuchElementException("no tensor named '" + name + "' in the plan"));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("QuantizationPlan " + type + (pure ? " --pure" : "") + ":\n");
        entries.forEach(e -> sb.append("  ").append(e).append('\n'));
        return sb.toString();
    }

    // ---------------------------------------------------------------- which tensors, in which order

    /** llama.cpp's weight_name_comparer: by the N of "blk.N." (-1 for others), then bytewise by name. */
    static final Comparator<Source> LOADER_ORDER = Comparator.<Source>comparingInt(s -> layerOf(s.name()))
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.name().getBytes(StandardCharsets.UTF_8),
                    b.name().getBytes(StandardCharsets.UTF_8)));

    /** The N of a name starting with "blk.N.", else -1. */
    static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = 4;
        while (end < name.length() && Character.isDigit(name.charAt(end)) && end < 13) {
            end++;
        }
        return end == 4 ? -1 : Integer.parseInt(name.substring(4, end));
    }

    /** llama-quantize's test: weights with at least two non-trivial dimensions, except norms, gates and embeddings of positions. */
    static boolean isQuantizable(Source s) {
        String name = s.name();
        if (!name.endsWith("weight") || nDims(s.shape()) < 2) {
            return false;
        }
        for (String excluded : new String[] {"_norm.weight", "ffn_gate_inp.weight", "ssm_conv1d.weight", "ssm_x.weight",
            "ssm_dt.weight", "time_mix_first.weight", "time_mix_w1.weight", "time_mix_w2.weight",
            "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "attn_rel_b.weight"}) {
            if (name.contains(excluded)) {
                return false;
            }
        }
        return !name.equals("position_embd.weight") && !name.equals("token_types.weight");
    }

    /** ggml_n_dims: the number of dimensions up to the outermost one larger than 1 (at least 1). */
    private static int nDims(long[] shape) {
        int first = 0;
        while (first < shape.length - 1 && shape[first] == 1) {
            first++;
        }
        return shape.length - first;
    }

    private static Model model(GgufMetadata meta, List<Source> tensors) {
        String arch = meta.findString("general.architecture").orElse("");
        int blocks = (int) meta.findLong(arch + ".block_count")
                .orElse(tensors.stream().mapToInt(t -> layerOf(t.name()) + 1).max().orElse(0));
        int experts = (int) meta.findLong(arch + ".expert_count").orElse(0);
        long heads = meta.findLong(arch + ".attention.head_count").orElse(0);
        long kvHeads = meta.findLong(arch + ".attention.head_count_kv").orElse(heads);
        // llama.cpp's LLM_TYPE_70B: a llama with 80 layers and grouped-query attention
        boolean llama70B = arch.equals("llama") && blocks == 80 && heads != kvHeads;
        return new Model(arch, blocks, experts, llama70B);
    }

    // ---------------------------------------------------------------- llama_tensor_get_type

    /** The stateful part of llama_tensor_get_type: it counts attn_v and ffn_* tensors as they come. */
    private static final class Rules {
        private final QuantType ftype;
        private final Model model;
        private final boolean hasOutput;
        private final int nAttentionV;
        private int iAttentionV;
        private int iFfnDown;

        Rules(QuantType ftype, Model model, List<Source> tensors) {
            this.ftype = ftype;
            this.model = model;
            this.hasOutput = tensors.stream().anyMatch(t -> t.name().equals("output.weight"));
            this.nAttentionV = (int) tensors.stream().filter(t -> t.name().contains("attn_v.weight")
                    || t.name().contains("attn_qkv.weight") || t.name().contains("attn_kv_b.weight")).count();
        }

        DType targetType(Source s, boolean pure) {
            DType type = ftype.defaultType();
            if (!type.isQuantized()) {
                return type;
            }
            if (!pure) {
                type = mixture(s, type);
            }
            return fallback(type, s.shape()[s.shape().length - 1]);
        }

        private DType mixture(Source s, DType type) {
            String name = s.name();
            long cols = s.shape()[s.shape().length - 1];
            boolean falcon = model.architecture().equals("falcon");
            if (name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"))) {
                if (ftype == QuantType.MXFP4_MOE || falcon || cols % type.blockSize() != 0) {
                    return DType.Q8_0;
                }
                return type != DType.Q8_0 ? DType.Q6_K : type;
            }
            if (ftype == QuantType.MXFP4_MOE) {
                // experts (a third dimension above 1) get MXFP4, everything else Q8_0
                long[] shape = s.shape();
                return shape.length >= 3 && shape[shape.length - 3] > 1 ? DType.MXFP4 : DType.Q8_0;
            }
            if (name.equals("token_embd.weight")) {
                return type;
            }
            if (name.contains("attn_v.weight")) {
                if ((ftype == QuantType.Q4_K_M || ftype == QuantType.Q5_K_M) && useMoreBits(iAttentionV, nAttentionV)) {
                    type = DType.Q6_K;
                } else if (ftype == QuantType.Q4_K_S && iAttentionV < 4) {
                    type = DType.Q5_K;
                }
                if (model.llama70B() && (type == DType.Q3_K || type == DType.Q4_K)) {
                    type = DType.Q5_K;
                }
                if (model.expertCount() == 8) {
                    type = DType.Q8_0;
                }
                iAttentionV++;
            } else if (name.contains("attn_k.weight")) {
                if (model.expertCount() == 8) {
                    type = DType.Q8_0;
                }
            } else if (name.contains("attn_q.weight")) {
                return type;
            } else if (name.contains("ffn_down")) {
                int layer = model.expertCount() > 1 ? layerOf(name) : iFfnDown;
                int layers = model.blockCount();
                if (ftype == QuantType.Q4_K_M) {
                    if (falcon) {
                        type = layer < layers / 16 ? DType.Q6_K : useMoreBits(layer, layers) ? DType.Q5_K : DType.Q4_K;
                    } else if (useMoreBits(layer, layers)) {
                        type = DType.Q6_K;
                    }
                } else if (ftype == QuantType.Q5_K_M && useMoreBits(layer, layers)) {
                    type = DType.Q6_K;
                } else if (ftype == QuantType.Q4_K_S && !falcon && layer < layers / 8) {
                    type = DType.Q5_K;
                }
                iFfnDown++;
            } else if (name.contains("attn_output.weight")) {
                if (!falcon && model.expertCount() == 8 && (ftype == QuantType.Q4_K_S || ftype == QuantType.Q4_K_M)) {
                    type = DType.Q5_K;
                }
            } else if (name.contains("attn_qkv.weight")) {
                if (ftype == QuantType.Q4_K_M) {
                    type = DType.Q5_K;
                } else if (ftype == QuantType.Q5_K_M) {
                    type = DType.Q6_K;
                }
            }
            return type;
        }

        /** The first and last eighth of the layers, and every third layer in between. */
        private static boolean useMoreBits(int layer, int layers) {
            return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
        }

        /** A type whose blocks fit rows of {@code cols} values. */
        private static DType fallback(DType type, long cols) {
            if (cols % type.blockSize() == 0) {
                return type;
            }
            DType next = switch (type) {
                case Q4_K -> DType.Q5_0;
                case Q5_K -> DType.Q5_1;
                case Q6_K -> DType.Q8_0;
                default -> DType.F16;
            };
            return cols % next.blockSize() == 0 ? next : DType.F16;
        }
    }
}
