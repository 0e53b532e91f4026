package dev.panamax.transformer;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * All weights of a model, checked against its {@link ModelConfig} and uploaded once to the backend.
 *
 * @param tokenEmbedding {@code [vocab, dim]}
 * @param outputNorm     final RMSNorm gain {@code [dim]}
 * @param output         classifier {@code [vocab, dim]}; the embedding table itself when tied
 * @param layers         one entry per block
 */
public record Weights(Tensor tokenEmbedding, Tensor outputNorm, Tensor output, List<LayerWeights> layers) {

    public Weights {
        layers = List.copyOf(layers);
    }

    /**
     * Reads every weight the model needs from {@code source}, checks its shape, converts norms and
     * biases to F32 if stored as F16/BF16, and uploads it through {@code ops} into {@code arena}
     * (host backends keep the zero-copy views of the file).
     *
     * @throws FormatException if a tensor is missing or has the wrong shape (naming file and tensor);
     *                         unsupported tensor types surface as the format's own exception
     */
    public static Weights load(ModelConfig c, WeightSource source, TensorNames names, Ops ops, Arena arena) {
        Loader l = new Loader(c, source, ops, arena);
        Tensor embedding = l.matrix(names.tokenEmbedding(), c.vocabSize(), c.dim());
        Tensor output = c.tiedEmbeddings() ? embedding : l.matrix(names.output(), c.vocabSize(), c.dim());
        Tensor outputNorm = l.vector(names.outputNorm(), c.dim());
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(layer(c, l, names, i));
        }
        return new Weights(embedding, outputNorm, output, layers);
    }

    private static LayerWeights layer(ModelConfig c, Loader l, TensorNames n, int i) {
        Tensor bq = null, bk = null, bv = null;
        if (c.qkvBias()) {
            bq = l.vector(n.attentionBias(i, "q"), c.qDim());
            bk = l.vector(n.attentionBias(i, "k"), c.kvDim());
            bv = l.vector(n.attentionBias(i, "v"), c.kvDim());
        }
        Tensor gate = null, up = null, down = null, router = null;
        List<ExpertWeights> experts = new ArrayList<>();
        if (!c.isMoe()) {
            gate = l.matrix(n.ffn(i, "gate"), c.ffnDim(), c.dim());
            up = l.matrix(n.ffn(i, "up"), c.ffnDim(), c.dim());
            down = l.matrix(n.ffn(i, "down"), c.dim(), c.ffnDim());
        } else {
            router = l.matrix(n.router(i), c.expertCount(), c.dim());
            if (n.stacksExperts()) {
                Tensor gates = l.stacked(n.stackedExperts(i, "gate"), c.expertCount(), c.ffnDim(), c.dim());
                Tensor ups = l.stacked(n.stackedExperts(i, "up"), c.expertCount(), c.ffnDim(), c.dim());
                Tensor downs = l.stacked(n.stackedExperts(i, "down"), c.expertCount(), c.dim(), c.ffnDim());
                for (int e = 0; e < c.expertCount(); e++) {
                    experts.add(new ExpertWeights(gates.select(0, e), ups.select(0, e), downs.select(0, e)));
                }
            } else {
                for (int e = 0; e < c.expertCount(); e++) {
                    experts.add(new ExpertWeights(l.matrix(n.expert(i, e, "gate"), c.ffnDim(), c.dim()),
                            l.matrix(n.expert(i, e, "up"), c.ffnDim(), c.dim()),
                            l.matrix(n.expert(i, e, "down"), c.dim(), c.ffnDim())));
                }
            }
        }
        return new LayerWeights(l.vector(n.attentionNorm(i), c.dim()),
                l.matrix(n.attention(i, "q"), c.qDim(), c.dim()), l.matrix(n.attention(i, "k"), c.kvDim(), c.dim()),
                l.matrix(n.attention(i, "v"), c.kvDim(), c.dim()), l.matrix(n.attention(i, "o"), c.dim(), c.qDim()),
                bq, bk, bv, l.vector(n.ffnNorm(i), c.dim()), gate, up, down, router, experts);
    }

    /** Fetches, checks and uploads tensors. */
    private record Loader(ModelConfig config, WeightSource source, Ops ops, Arena arena) {

        Tensor matrix(String name, long rows, long cols) {
            return ops.upload(arena, checked(name, rows, cols));
        }

        Tensor stacked(String name, long experts, long rows, long cols) {
            return ops.upload(arena, checked(name, experts, rows, cols));
        }

        /** Norm gains and biases are F32 for the kernels; F16/BF16 ones are widened once here. */
        Tensor vector(String name, long length) {
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
                        "expected shape " + Arrays.toString(shape) + " for " + config.architecture() + " with this configuration");
            }
            return t;
        }
    }
}
