package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufArray;
import dev.panamax.formats.safetensors.HfMxfp4;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.ModelConfig;
import java.util.List;
import java.util.Optional;

/**
 * gpt-oss to GGUF, as llama.cpp's {@code GptOssModel} converter writes it: the experts'
 * {@code _blocks} / {@code _scales} re-packed into ggml MXFP4 without requantizing (the gate's and the
 * up projection's interleaved rows split into {@code ffn_gate_exps} / {@code ffn_up_exps}
 * {@code [E, F, dim]}, {@code ffn_down_exps [E, dim, F]}), their interleaved biases split likewise;
 * dequantized checkpoints ({@code gate_up_proj [E, dim, 2F]}, applied as {@code x · W}) transposed and
 * split, in their type. {@code self_attn.sinks} becomes {@code attn_sinks.weight}, the router
 * {@code ffn_gate_inp} with its bias. Keys: {@code attention.sliding_window}, the sliding layers as one
 * flag per layer where they are not llama.cpp's default (even layers), {@code expert_feed_forward_length},
 * YaRN (llama.cpp truncates its correction range, gpt-oss's config says {@code "truncate": false}: the
 * converted file rotates a few pairs slightly differently, as llama.cpp's own conversion). GGUF has no
 * {@code swiglu_limit} (llama.cpp's is 7), so another limit is refused.
 */
final class GptOssExport {
    private static final List<TensorName> ATTENTION = List.of(StandardParts.ATTN_NORM, StandardParts.ATTN_Q, StandardParts.ATTN_K,
            StandardParts.ATTN_V, StandardParts.ATTN_OUTPUT, GptOss.POST_ATTENTION_NORM, GptOss.ROUTER);

    private GptOssExport() {
    }

    static void gptOss(GptOss.Config g, ExportWriter w) {
        ModelConfig c = g.common();
        if (g.swigluLimit() != GptOss.DEFAULT_LIMIT) {
            throw w.refuse("swiglu_limit " + g.swigluLimit() + ": llama.cpp's gpt-oss clamps at " + GptOss.DEFAULT_LIMIT
                    + "; not converted");
        }
        String a = w.shape("gpt-oss", c);
        w.out.putUInt32(a + "expert_feed_forward_length", c.ffnDim());
        w.out.putUInt32(a + "attention.sliding_window", g.slidingWindow());
        boolean[] sliding = new boolean[c.layers()];
        boolean llamaCppDefault = true;
        for (int l = 0; l < sliding.length; l++) {
            sliding[l] = g.slidingLayers().get(l);
            llamaCppDefault &= sliding[l] == (l % 2 == 0);
        }
        if (!llamaCppDefault) {
            w.out.putArray(a + "attention.sliding_window_pattern", GgufArray.ofBool(sliding));
        }
        w.rope(c.rope(), a, true);
        w.globals(c, ExportWriter::same, false);
        w.layers(c, ATTENTION, ExportWriter::same);
        for (int l = 0; l < c.layers(); l++) {
            w.put(GptOss.SINKS.in(TensorFormat.GGUF, l, ".weight"), w.weights.require(GptOss.SINKS.in(TensorFormat.HUGGING_FACE, l, "")));
            experts(c, l, w);
        }
    }

    private static void experts(ModelConfig c, int layer, ExportWriter w) {
        String gateUp = GptOssExperts.GATE.in(TensorFormat.HUGGING_FACE, layer, "");
        String down = GptOssExperts.DOWN.in(TensorFormat.HUGGING_FACE, layer, "");
        String gate = GptOssExperts.GATE.in(TensorFormat.GGUF, layer, ""), up = GptOssExperts.UP.in(TensorFormat.GGUF, layer, "");
        String downOut = GptOssExperts.DOWN.in(TensorFormat.GGUF, layer, "");
        Optional<Tensor> blocks = w.weights.find(gateUp + "_blocks");
        if (blocks.isPresent()) {
            Tensor scales = w.weights.require(gateUp + "_scales");
            w.out.addTensor(gate + ".weight", HfMxfp4.toGgml(w.weights.file(), gateUp, blocks.get(), scales, 0, 2, w.arena));
            w.out.addTensor(up + ".weight", HfMxfp4.toGgml(w.weights.file(), gateUp, blocks.get(), scales, 1, 2, w.arena));
            w.out.addTensor(downOut + ".weight", HfMxfp4.toGgml(w.weights.file(), down, w.weights.require(down + "_blocks"),
                    w.weights.require(down + "_scales"), 0, 1, w.arena));
        } else {
            Tensor dense = w.weights.require(gateUp);
            w.out.addTensor(gate + ".weight", transposedColumns(dense, 0, 2, w));
            w.out.addTensor(up + ".weight", transposedColumns(dense, 1, 2, w));
            w.out.addTensor(downOut + ".weight", transposedColumns(w.weights.require(down), 0, 1, w));
        }
        Tensor bias = w.weights.require(gateUp + "_bias");
        w.put(gate + ".bias", columns(bias, 0, w));
        w.put(up + ".bias", columns(bias, 1, w));
        w.put(downOut + ".bias", w.weights.require(down + "_bias"));
    }

    /**
     * The columns {@code start, start + step, ...} of each {@code [E, rows, cols]} matrix of {@code t},
     * transposed: {@code [E, cols / step, rows]}, in {@code t}'s type.
     */
    private static Tensor transposedColumns(Tensor t, int start, int step, ExportWriter w) {
        long e = t.size(0), rows = t.size(1), cols = t.size(2) / step;
        float[] all = w.contiguous(t).to(w.arena, DType.F32).toFloatArray();
        float[] out = new float[(int) (e * cols * rows)];
        for (int x = 0; x < e; x++) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    out[(int) ((x * cols + j) * rows + r)] = all[(int) ((x * rows + r) * cols * step + j * step + start)];
                }
            }
        }
        Tensor f32 = Tensor.of(w.arena, out, e, cols, rows);
        return t.dtype() == DType.F32 ? f32 : f32.to(w.arena, t.dtype());
    }

    /** The columns {@code start, start + 2, ...} of {@code t [E, 2F]}, as F32 {@code [E, F]}. */
    private static Tensor columns(Tensor t, int start, ExportWriter w) {
        long rows = t.size(0), half = t.size(1) / 2;
        float[] all = w.contiguous(t).to(w.arena, DType.F32).toFloatArray();
        float[] out = new float[(int) (rows * half)];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < half; j++) {
                out[(int) (r * half + j)] = all[(int) (r * 2 * half + 2 * j + start)];
            }
        }
        return Tensor.of(w.arena, out, rows, half);
    }
}
