package dev.panamax.transformer.family;

import dev.panamax.formats.safetensors.HfMxfp4;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.GateActivation;
import dev.panamax.transformer.nn.GatedFeedForward;
import dev.panamax.transformer.nn.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The experts of one gpt-oss layer: gate, up and down projections with biases, clamped SwiGLU.
 *
 * <p>GGUF (llama.cpp's converter): {@code ffn_gate_exps}, {@code ffn_up_exps} {@code [E, F, dim]},
 * {@code ffn_down_exps} {@code [E, dim, F]}, usually MXFP4, and their {@code .bias} {@code [E, F]} /
 * {@code [E, dim]}. Hugging Face: {@code mlp.experts.gate_up_proj_blocks} {@code [E, 2F, dim/32, 16]}
 * and {@code _scales} {@code [E, 2F, dim/32]}, the gate's and the up projection's rows interleaved
 * (even rows gate, odd rows up, as {@code gate_up[..., ::2]} / {@code [..., 1::2]} in
 * {@code GptOssExperts.forward}), {@code gate_up_proj_bias} {@code [E, 2F]} interleaved the same way;
 * {@code down_proj_blocks} {@code [E, dim, F/32, 16]}, {@code down_proj_bias} {@code [E, dim]}. The
 * blocks are re-packed once, at load, into ggml's MXFP4 ({@link HfMxfp4}). Dequantized conversions
 * store {@code gate_up_proj} {@code [E, dim, 2F]} and {@code down_proj} {@code [E, F, dim]} (applied
 * as {@code x · W}, so transposed here) in BF16 or F32.
 */
final class GptOssExperts {
    static final TensorName GATE = TensorName.layer("ffn_gate_exps", "mlp.experts.gate_up_proj");
    static final TensorName UP = TensorName.layer("ffn_up_exps", "mlp.experts.gate_up_proj");
    static final TensorName DOWN = TensorName.layer("ffn_down_exps", "mlp.experts.down_proj");

    private GptOssExperts() {
    }

    /** Layer {@code layer}'s {@code expertCount} experts of width {@code ffnDim}. */
    static List<GatedFeedForward> load(BuildContext b, ModelConfig c, int layer, float alpha, float limit) {
        WeightLoader w = b.weights();
        int e = c.expertCount(), f = c.ffnDim(), dim = c.dim();
        List<Tensor> gates, ups, downs;
        Tensor gateBias, upBias, downBias;
        if (w.format() == TensorFormat.GGUF) {
            gates = w.experts(GATE, layer, e, f, dim);
            ups = w.experts(UP, layer, e, f, dim);
            downs = w.experts(DOWN, layer, e, dim, f);
            gateBias = w.floats(GATE.in(TensorFormat.GGUF, layer, ".bias"), e, f);
            upBias = w.floats(UP.in(TensorFormat.GGUF, layer, ".bias"), e, f);
            downBias = w.floats(DOWN.in(TensorFormat.GGUF, layer, ".bias"), e, dim);
        } else if (w.find(GATE, layer, "_blocks").isEmpty() && w.find(GATE, layer, "").isPresent()) {
            // the dequantized form (BF16 gpt-oss conversions): gate_up_proj [E, dim, 2F], down_proj [E, F, dim], x · W
            String gateUp = GATE.in(TensorFormat.HUGGING_FACE, layer, ""), down = DOWN.in(TensorFormat.HUGGING_FACE, layer, "");
            Tensor dense = w.tensor(gateUp, e, dim, 2L * f);
            gates = split(w.upload(rows(dense, 0, w)), e);
            ups = split(w.upload(rows(dense, 1, w)), e);
            Tensor downDense = w.tensor(down, e, f, dim);
            downs = split(w.upload(downDense.transpose(1, 2).contiguous(w.arena())), e);
            Tensor interleaved = w.tensor(gateUp + "_bias", e, 2L * f).to(w.arena(), DType.F32);
            gateBias = w.upload(deinterleave(interleaved, 0, w));
            upBias = w.upload(deinterleave(interleaved, 1, w));
            downBias = w.floats(down + "_bias", e, dim);
        } else {
            String gateUp = GATE.in(TensorFormat.HUGGING_FACE, layer, ""), down = DOWN.in(TensorFormat.HUGGING_FACE, layer, "");
            Tensor gateUpBlocks = w.tensor(gateUp + "_blocks", e, 2L * f, dim / 32, 16);
            Tensor gateUpScales = w.tensor(gateUp + "_scales", e, 2L * f, dim / 32);
            gates = split(w.upload(HfMxfp4.toGgml(w.file(), gateUp, gateUpBlocks, gateUpScales, 0, 2, w.arena())), e);
            ups = split(w.upload(HfMxfp4.toGgml(w.file(), gateUp, gateUpBlocks, gateUpScales, 1, 2, w.arena())), e);
            downs = split(w.upload(HfMxfp4.toGgml(w.file(), down, w.tensor(down + "_blocks", e, dim, f / 32, 16),
                    w.tensor(down + "_scales", e, dim, f / 32), 0, 1, w.arena())), e);
            Tensor interleaved = w.tensor(gateUp + "_bias", e, 2L * f).to(w.arena(), DType.F32);
            gateBias = w.upload(deinterleave(interleaved, 0, w));
            upBias = w.upload(deinterleave(interleaved, 1, w));
            downBias = w.floats(down + "_bias", e, dim);
        }
        List<GatedFeedForward> experts = new ArrayList<>(e);
        GateActivation clamped = GateActivation.clampedSwiGlu(alpha, limit);
        for (int x = 0; x < e; x++) {
            experts.add(new GatedFeedForward(b.ops(), b.scratch(),
                    new Linear(b.ops(), gates.get(x), gateBias.select(0, x)),
                    new Linear(b.ops(), ups.get(x), upBias.select(0, x)),
                    new Linear(b.ops(), downs.get(x), downBias.select(0, x)), clamped));
        }
        return experts;
    }

    private static List<Tensor> split(Tensor stacked, int count) {
        List<Tensor> out = new ArrayList<>(count);
        for (int x = 0; x < count; x++) {
            out.add(stacked.select(0, x));
        }
        return out;
    }

    /**
     * The matrices {@code [E, F, dim]} of the columns {@code start, start + 2, ...} of a dense
     * {@code gate_up_proj [E, dim, 2F]}, transposed, in the source's dtype.
     */
    private static Tensor rows(Tensor dense, int start, WeightLoader w) {
        long e = dense.size(0), dim = dense.size(1), f = dense.size(2) / 2;
        float[] all = dense.contiguous(w.arena()).to(w.arena(), DType.F32).toFloatArray();
        float[] out = new float[(int) (e * f * dim)];
        for (int x = 0; x < e; x++) {
            for (int c = 0; c < dim; c++) {
                for (int i = 0; i < f; i++) {
                    out[(int) ((x * f + i) * dim + c)] = all[(int) ((x * dim + c) * 2 * f + 2 * i + start)];
                }
            }
        }
        Tensor t = Tensor.of(w.arena(), out, e, f, dim);
        return dense.dtype() == DType.F32 ? t : t.to(w.arena(), dense.dtype());
    }

    /** Columns {@code start, start + 2, ...} of the F32 host tensor {@code t [E, 2F]}, as {@code [E, F]}. */
    private static Tensor deinterleave(Tensor t, int start, WeightLoader w) {
        long rows = t.size(0), half = t.size(1) / 2;
        float[] all = t.contiguous(w.arena()).toFloatArray();
        float[] out = new float[(int) (rows * half)];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < half; j++) {
                out[(int) (r * half + j)] = all[(int) (r * 2 * half + 2 * j + start)];
            }
        }
        return Tensor.of(w.arena(), out, rows, half);
    }
}
