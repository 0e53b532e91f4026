package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.WeightSource;
import dev.panamax.transformer.nn.AdapterWeights;
import dev.panamax.transformer.nn.Embedding;
import dev.panamax.transformer.nn.LayerNorm;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.RmsNorm;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fetches a family's weights by {@link TensorName} in the file's {@link TensorFormat}, checks each
 * shape, widens norm gains and biases to F32, and uploads each tensor once through {@link Ops#upload}
 * (host backends keep the zero-copy views of the memory-mapped file). Uploads are remembered by
 * name and shape, so that building the layers again (one set per session, see
 * {@link dev.panamax.transformer.Model#newSession()}) shares the weights instead of copying them.
 */
public final class WeightLoader {
    private final WeightSource source;
    private final TensorFormat format;
    private final Ops ops;
    private final Arena arena;
    private final String architecture;
    private final AdapterWeights adapters;
    /**
     * Uploaded (or widened) tensors by kind, name and shape: each weight is uploaded once per model;
     * the loaders of a model's sessions ({@link #withAdapters}) share it.
     */
    private final Map<String, Tensor> uploaded;

    /** @param architecture named in shape errors */
    public WeightLoader(WeightSource source, TensorFormat format, Ops ops, Arena arena, String architecture) {
        this(source, format, ops, arena, architecture, AdapterWeights.NONE);
    }

    /** As above, with LoRA {@code adapters} attached to every projection {@link #linear} builds. */
    public WeightLoader(WeightSource source, TensorFormat format, Ops ops, Arena arena, String architecture, AdapterWeights adapters) {
        this(source, format, ops, arena, architecture, adapters, new HashMap<>());
    }

    private WeightLoader(WeightSource source, TensorFormat format, Ops ops, Arena arena, String architecture, AdapterWeights adapters,
                         Map<String, Tensor> uploaded) {
        this.uploaded = uploaded;
        this.adapters = adapters;
        this.source = source;
        this.format = format;
        this.ops = ops;
        this.arena = arena;
        this.architecture = architecture;
    }

    /** This loader for one session: the same weights (uploaded once), with that session's LoRA {@code sessionAdapters}. */
    public WeightLoader withAdapters(AdapterWeights sessionAdapters) {
        return new WeightLoader(source, format, ops, arena, architecture, sessionAdapters, uploaded);
    }

    public TensorFormat format() {
        return format;
    }

    /** The file (or checkpoint directory) the weights come from, for error messages. */
    public java.nio.file.Path file() {
        return source.file();
    }

    /** True if the file has {@code name}'s weight in {@code layer}. */
    public boolean has(TensorName name, int layer) {
        return source.find(name.in(format, layer, ".weight")).isPresent();
    }

    /** True if the file has {@code name} with {@code suffix} (".bias": an optional bias) in {@code layer}. */
    public boolean has(TensorName name, int layer, String suffix) {
        return source.find(name.in(format, layer, suffix)).isPresent();
    }

    /** The matrix {@code [rows, cols]} (any dtype the backend multiplies). */
    public Tensor matrix(TensorName name, int layer, long rows, long cols) {
        return upload(name.in(format, layer, ".weight"), rows, cols);
    }

    /** A norm gain {@code [length]}, as F32. */
    public Tensor vector(TensorName name, int layer, long length) {
        return f32(name.in(format, layer, ".weight"), length);
    }

    /**
     * A norm gain {@code [length]} plus {@code offset}, as F32, computed once here: Gemma's RMSNorm
     * multiplies by {@code 1 + w}, and its Hugging Face checkpoints store {@code w} (GGUF files hold
     * {@code w + 1}, added by llama.cpp's converter).
     */
    public Tensor vector(TensorName name, int layer, long length, float offset) {
        if (offset == 0) {
            return vector(name, layer, length);
        }
        String full = name.in(format, layer, ".weight");
        Tensor stored = checked(full, length);
        if (stored.dtype() != DType.F32 && stored.dtype() != DType.F16 && stored.dtype() != DType.BF16) {
            throw new FormatException(source.file(), full, stored.dtype(), "norm gains must be F32, F16 or BF16");
        }
        float[] gain = stored.toFloatArray();
        for (int i = 0; i < gain.length; i++) {
            gain[i] += offset;
        }
        return ops.upload(arena, Tensor.of(arena, gain, length));
    }

    /** {@code y = x · Wᵀ (+ b)} with {@code W [rows, cols]} and, if {@code bias}, {@code b [rows]} (the ".bias" of the same name). */
    public Linear linear(TensorName name, int layer, long rows, long cols, boolean bias) {
        Linear base = new Linear(ops, matrix(name, layer, rows, cols), bias ? f32(name.in(format, layer, ".bias"), rows) : null);
        return adapters.adaptable(base, name.in(TensorFormat.GGUF, layer, ".weight"));
    }

    /** A LayerNorm with the gain {@code name [length]} and the bias of the same name. */
    public LayerNorm layerNorm(TensorName name, int layer, long length, float eps) {
        return new LayerNorm(ops, vector(name, layer, length), vector(name, layer, ".bias", length), eps);
    }

    /**
     * A projection to one output {@code [1, cols]}, e.g. Qwen2-MoE's shared-expert gate: GGUF stores
     * it as the vector {@code [cols]}, Hugging Face as the matrix {@code [1, cols]}.
     */
    public synchronized Linear rowLinear(TensorName name, int layer, long cols) {
        String full = name.in(format, layer, ".weight");
        String key = "row " + full + " " + cols;
        Tensor row = uploaded.get(key);
        if (row == null) {
            Tensor t = source.require(full);
            row = ops.upload(arena, t.rank() == 1 ? checked(full, cols).reshape(1, cols) : checked(full, 1, cols));
            uploaded.put(key, row);
        }
        return adapters.adaptable(new Linear(ops, row, null), name.in(TensorFormat.GGUF, layer, ".weight"));
    }

    /**
     * The projections of every expert ({@link #experts}) as {@link Linear}s that take the adapters of
     * the stacked weight ({@code blk.N.ffn_up_exps.weight.lora_a [experts, r, in]}, llama.cpp's
     * {@code build_lora_mm_id}).
     */
    public List<Linear> expertLinears(TensorName name, int layer, int count, long rows, long cols) {
        List<Linear> out = new ArrayList<>(count);
        for (Tensor t : experts(name, layer, count, rows, cols)) {
            out.add(new Linear(ops, t, null));
        }
        return adapters.adaptableExperts(out, name.in(TensorFormat.GGUF, layer, ".weight"));
    }

    /**
     * The token embedding {@code name [vocab, dim]} at {@code scale}, taking {@code token_embd} adapters
     * unless {@code tiedOutput} (the output projection reads the same table: see {@link AdapterWeights}).
     */
    public Embedding embedding(TensorName name, long vocab, long dim, float scale, boolean tiedOutput) {
        Embedding e = new Embedding(ops, matrix(name, -1, vocab, dim), scale);
        return adapters.adaptable(e, name.in(TensorFormat.GGUF, -1, ".weight"), tiedOutput);
    }

    /** The output projection of a model whose output is its embedding table: it takes PEFT's {@code lm_head} adapters ({@code output.weight}). */
    public Linear tiedOutput(Embedding embedding) {
        return adapters.adaptable(new Linear(ops, embedding.table(), null), "output.weight");
    }

    /** An RMSNorm with the gain {@code name [length]}. */
    public RmsNorm rmsNorm(TensorName name, int layer, long length, float eps) {
        return new RmsNorm(ops, vector(name, layer, length), eps);
    }

    /**
     * The {@code count} matrices {@code [rows, cols]} of one projection of every expert: in GGUF the
     * slices of the stacked {@code [count, rows, cols]} tensor, in Hugging Face one tensor each.
     */
    public List<Tensor> experts(TensorName name, int layer, int count, long rows, long cols) {
        List<Tensor> out = new ArrayList<>(count);
        if (format == TensorFormat.GGUF) {
            Tensor stacked = upload(name.in(format, layer, ".weight"), count, rows, cols);
            for (int e = 0; e < count; e++) {
                out.add(stacked.select(0, e));
            }
        } else {
            for (int e = 0; e < count; e++) {
                out.add(upload(name.hfExpert(layer, e, ".weight"), rows, cols));
            }
        }
        return out;
    }

    /** A GGUF tensor {@code [count, rows, cols]} whole (per-head matrices stacked, as DeepSeek's {@code attn_k_b}). */
    public Tensor stacked(TensorName name, int layer, long count, long rows, long cols) {
        return upload(name.in(format, layer, ".weight"), count, rows, cols);
    }

    /**
     * A fused matrix {@code [sum(rows), cols]} (Phi-3's {@code attn_qkv}, {@code ffn_up} holding gate and
     * up) as one {@link Linear} per part, in order: views of consecutive rows of the one uploaded tensor.
     */
    public List<Linear> split(TensorName name, int layer, long cols, long... rows) {
        long total = Arrays.stream(rows).sum();
        Tensor fused = matrix(name, layer, total, cols);
        List<Linear> parts = new ArrayList<>(rows.length);
        long start = 0;
        for (long r : rows) {
            parts.add(new Linear(ops, fused.rows(start, r), null));
            start += r;
        }
        return parts;
    }

    /** A vector the family computes (not read from the file), as an F32 tensor on the backend. */
    public Tensor constant(float[] values) {
        return ops.upload(arena, Tensor.of(arena, values, values.length));
    }

    /** A norm gain or bias {@code [length]} as F32, by its full suffix (".weight", ".bias"). */
    public Tensor vector(TensorName name, int layer, String suffix, long length) {
        return f32(name.in(format, layer, suffix), length);
    }

    /** Norm gains and biases are F32 for the kernels; F16/BF16 ones are widened once here. */
    private synchronized Tensor f32(String name, long length) {
        String key = "f32 " + name + " " + length;
        Tensor done = uploaded.get(key);
        if (done != null) {
            return done;
        }
        Tensor t = checked(name, length);
        if (t.dtype() != DType.F32) {
            if (t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
                throw new FormatException(source.file(), name, t.dtype(), "norm gains and biases must be F32, F16 or BF16");
            }
            t = t.to(arena, DType.F32);
        }
        Tensor up = ops.upload(arena, t);
        uploaded.put(key, up);
        return up;
    }

    /** The tensor {@code name} of {@code shape} on the backend, uploaded on first use. */
    private synchronized Tensor upload(String name, long... shape) {
        String key = name + " " + Arrays.toString(shape);
        Tensor done = uploaded.get(key);
        if (done == null) {
            done = ops.upload(arena, checked(name, shape));
            uploaded.put(key, done);
        }
        return done;
    }

    private Tensor checked(String name, long... shape) {
        Tensor t = source.require(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new FormatException(source.file(), name, Arrays.toString(t.shape()),
                    "expected shape " + Arrays.toString(shape) + " for " + architecture + " with this configuration");
        }
        return t;
    }

    /** The tensor {@code name} if present, unchecked: for families that decide by what the file holds. */
    public Optional<Tensor> find(TensorName name, int layer, String suffix) {
        return source.find(name.in(format, layer, suffix));
    }

    /** The tensor {@code name} (its full name in this file) of exactly {@code shape}, as F32 (widened from F16/BF16), uploaded. */
    public Tensor floats(String name, long... shape) {
        Tensor t = tensor(name, shape);
        if (t.dtype() != DType.F32) {
            if (t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
                throw new FormatException(source.file(), name, t.dtype(), "must be F32, F16 or BF16");
            }
            t = t.to(arena, DType.F32);
        }
        return ops.upload(arena, t);
    }

    /** The host tensor {@code name} (its full name in this file) of exactly {@code shape}, as stored, not uploaded. */
    public Tensor tensor(String name, long... shape) {
        return checked(name, shape);
    }

    /** Uploads a tensor the family made at load (converted from the file's layout) in {@link #arena()}. */
    public Tensor upload(Tensor host) {
        return ops.upload(arena, host);
    }

    /** The arena the weights live in, for tensors a family converts at load. */
    public Arena arena() {
        return arena;
    }
}
