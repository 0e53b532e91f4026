package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.WeightSource;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.RmsNorm;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fetches a family's weights by {@link TensorName} in the file's {@link TensorFormat}, checks each
 * shape, widens norm gains and biases to F32, and uploads each tensor once through {@link Ops#upload}
 * (host backends keep the zero-copy views of the memory-mapped file).
 */
public final class WeightLoader {
    private final WeightSource source;
    private final TensorFormat format;
    private final Ops ops;
    private final Arena arena;
    private final String architecture;

    /** @param architecture named in shape errors */
    public WeightLoader(WeightSource source, TensorFormat format, Ops ops, Arena arena, String architecture) {
        this.source = source;
        this.format = format;
        this.ops = ops;
        this.arena = arena;
        this.architecture = architecture;
    }

    public TensorFormat format() {
        return format;
    }

    /** The file the weights come from, for error messages. */
    public java.nio.file.Path file() {
        return source.file();
    }

    /** True if the file has {@code name}'s weight in {@code layer}. */
    public boolean has(TensorName name, int layer) {
        return source.find(name.in(format, layer, ".weight")).isPresent();
    }

    /**
     * The file's tensor {@code name} in {@code layer} with {@code suffix}, unchecked and not uploaded (host
     * memory): for weights a family reads on the host (DeepSeek's router bias) or converts first.
     */
    public java.util.Optional<Tensor> find(TensorName name, int layer, String suffix) {
        return source.find(name.in(format, layer, suffix));
    }

    /** The matrix {@code [rows, cols]} (any dtype the backend multiplies). */
    public Tensor matrix(TensorName name, int layer, long rows, long cols) {
        return ops.upload(arena, checked(name.in(format, layer, ".weight"), rows, cols));
    }

    /** A norm gain {@code [length]}, as F32. */
    public Tensor vector(TensorName name, int layer, long length) {
        return f32(name.in(format, layer, ".weight"), length);
    }

    /** {@code y = x · Wᵀ (+ b)} with {@code W [rows, cols]} and, if {@code bias}, {@code b [rows]} (the ".bias" of the same name). */
    public Linear linear(TensorName name, int layer, long rows, long cols, boolean bias) {
        return new Linear(ops, matrix(name, layer, rows, cols), bias ? f32(name.in(format, layer, ".bias"), rows) : null);
    }

    /**
     * A projection to one output {@code [1, cols]}, e.g. Qwen2-MoE's shared-expert gate: GGUF stores
     * it as the vector {@code [cols]}, Hugging Face as the matrix {@code [1, cols]}.
     */
    public Linear rowLinear(TensorName name, int layer, long cols) {
        String full = name.in(format, layer, ".weight");
        Tensor t = source.require(full);
        Tensor row = t.rank() == 1 ? checked(full, cols).reshape(1, cols) : checked(full, 1, cols);
        return new Linear(ops, ops.upload(arena, row), null);
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
            Tensor stacked = ops.upload(arena, checked(name.in(format, layer, ".weight"), count, rows, cols));
            for (int e = 0; e < count; e++) {
                out.add(stacked.select(0, e));
            }
        } else {
            for (int e = 0; e < count; e++) {
                out.add(ops.upload(arena, checked(name.hfExpert(layer, e, ".weight"), rows, cols)));
            }
        }
        return out;
    }

    /** Norm gains and biases are F32 for the kernels; F16/BF16 ones are widened once here. */
    private Tensor f32(String name, long length) {
        Tensor t = checked(name, length);
        if (t.dtype() != DType.F32) {
            if (t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
                throw new FormatException(source.file(), name, t.dtype(), "norm gains and biases must be F32, F16 or BF16");
            }
            t = t.to(arena, DType.F32);
        }
        return ops.upload(arena, t);
    }

    private Tensor checked(String name, long... shape) {
        Tensor t = source.require(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new FormatException(source.file(), name, Arrays.toString(t.shape()),
                    "expected shape " + Arrays.toString(shape) + " for " + architecture + " with this configuration");
        }
        return t;
    }
}
